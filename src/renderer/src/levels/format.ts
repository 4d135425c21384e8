export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

// Intl formatters are expensive to create: toLocaleString builds one per call. This one is built once.
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

export const formatTime = (at: number): string => TIME.format(at);

/** Keys can be long or binary-looking: show the start and the end, with control characters visible. */
export function shortKey(key: string, max = 24): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this makes visible
  const visible = key.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (visible.length <= max) return visible;
  const head = Math.ceil((max - 1) / 2);
  return `${visible.slice(0, head)}…${visible.slice(visible.length - (max - 1 - head))}`;
}

export const percent = (x: number): string => `${Math.round(Math.max(0, Math.min(1, x)) * 100)}%`;
