import type { GetExplanation } from '../../../shared/model/lookup';
import { memo, useState } from 'react';
import { useClient } from '../app/context';
import { describeError } from '../api/errors';
import { readCost, resultText, stepText } from './trace';

/** "Where is this key?": runs lsm.explainGet and lists the path the get took; the tree highlights the same tables. */
export const TracePanel = memo(function TracePanel({
  collection,
  trace,
  onTrace,
}: {
  collection: string;
  trace: GetExplanation | null;
  onTrace(e: GetExplanation | null): void;
}) {
  const client = useClient();
  const [key, setKey] = useState(trace?.key ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    if (!key) return;
    setBusy(true);
    setError(null);
    try {
      onTrace(await client['lsm.explainGet']({ collection, key }));
    } catch (err) {
      setError(describeError(err).message);
      onTrace(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="lv-trace" data-testid="trace-panel">
      <form
        className="lv-trace-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label className="small muted" htmlFor="lv-trace-key">
          Where is this key?
        </label>
        <div className="lv-inline">
          <input
            id="lv-trace-key"
            className="input mono"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="a key"
            spellCheck={false}
            data-testid="trace-key"
          />
          <button type="submit" className="button primary" disabled={!key || busy} data-testid="trace-run">
            Trace
          </button>
          {trace && (
            <button type="button" className="button" onClick={() => onTrace(null)}>
              Clear
            </button>
          )}
        </div>
      </form>
      {error && <p className="lv-note">{error}</p>}
      {trace && (
        <div className="lv-trace-result" data-testid="trace-result" data-result={trace.result}>
          <p className={`lv-trace-verdict lv-verdict-${trace.result}`}>{resultText(trace)}</p>
          {trace.value !== null && <p className="mono small lv-trace-value">“{trace.value}”</p>}
          <p className="small muted" data-testid="trace-cost">
            Read cost: {readCost(trace)}
          </p>
          <ol className="lv-trace-steps">
            {trace.steps.map((s, i) => (
              <li
                key={i}
                className={`lv-step lv-step-${s.step} ${'outcome' in s ? `lv-out-${s.outcome}` : ''}`}
                data-step={s.step}
                data-outcome={s.outcome}
              >
                {stepText(s).trim()}
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
});
