import type { TransferProgress } from '../index.js';
import { formatBytes } from './format.js';

export interface ProgressBar {
  update(progress: TransferProgress): void;
  /** For work measured in bytes only (REPAIR): `what` is drawn after the label. */
  updateBytes(what: string, done: number, total: number): void;
  /** Erases the bar, leaving the line for the command's summary. */
  done(): void;
}

const NONE: ProgressBar = { update: () => {}, updateBytes: () => {}, done: () => {} };
const REDRAW_MS = 100;

/**
 * A one-line progress bar for IMPORT and EXPORT, drawn on a terminal's stderr
 * (so it never mixes into output that is piped or captured). Off the
 * terminal it draws nothing: the command's one-line summary is all there is.
 */
export function progressBar(stream: NodeJS.WriteStream, label: string): ProgressBar {
  if (stream.isTTY !== true) return NONE;
  let last = 0;
  let drawn = false;
  const draw = (line: (columns: number) => string) => {
    const now = Date.now();
    if (now - last < REDRAW_MS) return;
    last = now;
    drawn = true;
    stream.write(`\r${line(stream.columns || 80)}\x1b[K`);
  };
  return {
    update: (p) => draw((columns) => render(label, p, columns)),
    updateBytes: (what, done, total) =>
      draw((columns) => renderBar(`${label} ${what}`, done, total, `${formatBytes(done)} of ${formatBytes(total)}`, columns)),
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

export function render(label: string, p: TransferProgress, columns: number): string {
  const counts = `${p.entries.toLocaleString('en-US')} entries, ${formatBytes(p.bytes)}${p.totalBytes === undefined ? '' : ` of ${formatBytes(p.totalBytes)}`}${p.skipped === 0 ? '' : `, ${p.skipped.toLocaleString('en-US')} skipped`}`;
  if (p.totalBytes === undefined || p.totalBytes === 0) return `${label} ${counts}`.slice(0, columns - 1);
  return renderBar(label, p.bytes, p.totalBytes, counts, columns);
}

function renderBar(label: string, done: number, total: number, counts: string, columns: number): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const width = Math.max(10, Math.min(40, columns - label.length - counts.length - 10));
  const filled = Math.round(fraction * width);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent} ${counts}`.slice(0, columns - 1);
}
