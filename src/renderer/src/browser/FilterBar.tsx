import { useEffect, useState } from 'react';
import type { KeyFilter } from '../../../shared/ipc/types';
import '../styles/toolbar.css';

type Mode = 'prefix' | 'range';

interface Props {
  onFilter(filter: KeyFilter): void;
  reverse: boolean;
  onReverse(reverse: boolean): void;
  onJump(key: string): void;
  /** A filter to start with (the Levels view's "Browse this range"). */
  initial?: KeyFilter;
}

/** Typing pauses this long before the grid reloads: every keystroke would otherwise start a scan. */
const APPLY_DELAY_MS = 250;

export function FilterBar({ onFilter, reverse, onReverse, onJump, initial }: Props) {
  const [mode, setMode] = useState<Mode>(
    initial?.gte !== undefined || initial?.lt !== undefined || initial?.lte !== undefined ? 'range' : 'prefix',
  );
  const [prefix, setPrefix] = useState(initial?.prefix ?? '');
  const [gte, setGte] = useState(initial?.gte ?? '');
  const [upper, setUpper] = useState(initial?.lte ?? initial?.lt ?? '');
  // Half-open by default, as ranges usually are; a table's range (Browse this range) ends at its last key, included.
  const [inclusive, setInclusive] = useState(initial?.lte !== undefined);
  const [jump, setJump] = useState('');

  const filter: KeyFilter =
    mode === 'prefix'
      ? prefix
        ? { prefix }
        : {}
      : { ...(gte ? { gte } : {}), ...(upper ? (inclusive ? { lte: upper } : { lt: upper }) : {}) };
  const filterKey = JSON.stringify(filter);

  useEffect(() => {
    const timer = setTimeout(() => onFilter(JSON.parse(filterKey) as KeyFilter), APPLY_DELAY_MS);
    return () => clearTimeout(timer);
  }, [filterKey, onFilter]);

  const applyNow = () => onFilter(JSON.parse(filterKey) as KeyFilter);

  return (
    <div className="toolbar filter-bar" role="search">
      <div className="segmented" role="radiogroup" aria-label="Filter by">
        {(['prefix', 'range'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="radio"
            aria-checked={mode === m}
            className={`segment${mode === m ? ' active' : ''}`}
            onClick={() => setMode(m)}
          >
            {m === 'prefix' ? 'Prefix' : 'Range'}
          </button>
        ))}
      </div>
      {mode === 'prefix' ? (
        <input
          className="input mono filter-input"
          aria-label="Key prefix"
          placeholder="Filter by key prefix…"
          value={prefix}
          onChange={(e) => setPrefix(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && applyNow()}
          spellCheck={false}
        />
      ) : (
        <>
          <input
            className="input mono range-input"
            aria-label="From key (inclusive)"
            placeholder="from (≥)"
            value={gte}
            onChange={(e) => setGte(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && applyNow()}
            spellCheck={false}
          />
          <span className="muted">…</span>
          <button
            type="button"
            className="button small bound-toggle mono"
            aria-pressed={inclusive}
            aria-label="Include the to key"
            title={inclusive ? 'The to key is included (≤). Click to exclude it.' : 'The to key is excluded (<). Click to include it.'}
            onClick={() => setInclusive((v) => !v)}
          >
            {inclusive ? '≤' : '<'}
          </button>
          <input
            className="input mono range-input"
            aria-label={inclusive ? 'To key (inclusive)' : 'To key (exclusive)'}
            placeholder={inclusive ? 'to (≤)' : 'to (<)'}
            value={upper}
            onChange={(e) => setUpper(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && applyNow()}
            spellCheck={false}
          />
        </>
      )}
      <label className="check">
        <input type="checkbox" checked={reverse} onChange={(e) => onReverse(e.target.checked)} /> Reverse
      </label>
      <span className="toolbar-spacer" />
      <form
        className="jump"
        onSubmit={(e) => {
          e.preventDefault();
          if (jump !== '') onJump(jump);
        }}
      >
        <input
          className="input mono jump-input"
          aria-label="Jump to key"
          placeholder="Jump to key…"
          value={jump}
          onChange={(e) => setJump(e.target.value)}
          spellCheck={false}
        />
        <button type="submit" className="button" disabled={jump === ''}>
          Go
        </button>
      </form>
    </div>
  );
}
