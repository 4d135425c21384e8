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
        <KeyInput wide label="Key prefix" placeholder="Filter by key prefix…" value={prefix} onChange={setPrefix} onEnter={applyNow} />
      ) : (
        <>
          <KeyInput label="From key (inclusive)" placeholder="from (≥)" value={gte} onChange={setGte} onEnter={applyNow} />
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
          <KeyInput
            label={inclusive ? 'To key (inclusive)' : 'To key (exclusive)'}
            placeholder={inclusive ? 'to (≤)' : 'to (<)'}
            value={upper}
            onChange={setUpper}
            onEnter={applyNow}
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

/** One key field of the filter: Enter applies the filter at once (typing applies it after a pause). */
function KeyInput({
  label,
  placeholder,
  value,
  onChange,
  onEnter,
  wide = false,
}: {
  label: string;
  placeholder: string;
  value: string;
  onChange(value: string): void;
  onEnter(): void;
  /** The prefix field, alone on its line; range fields come in pairs. */
  wide?: boolean;
}) {
  return (
    <input
      className={`input mono ${wide ? 'filter-input' : 'range-input'}`}
      aria-label={label}
      placeholder={placeholder}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      onKeyDown={(e) => e.key === 'Enter' && onEnter()}
      spellCheck={false}
    />
  );
}
