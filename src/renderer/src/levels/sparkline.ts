import type { HistorySample } from '../../../shared/model/history';

/** An SVG path through values, scaled to w×h (min at the bottom, 0 included); empty for fewer than two points. */
export function sparkPath(values: readonly number[], w: number, h: number, pad = 1): { line: string; area: string; max: number } {
  if (values.length < 2) return { line: '', area: '', max: values[0] ?? 0 };
  let max = 0;
  for (const v of values) if (Number.isFinite(v)) max = Math.max(max, v);
  const scaleY = (v: number) => (max === 0 ? h - pad : h - pad - (Math.max(0, v) / max) * (h - 2 * pad));
  const step = w / (values.length - 1);
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${scaleY(Number.isFinite(v) ? v : 0).toFixed(1)}`);
  const line = `M${pts.join('L')}`;
  return { line, area: `${line}L${w},${h}L0,${h}Z`, max };
}

/** User bytes written per second between consecutive samples. */
export function throughput(samples: readonly HistorySample[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const seconds = (b.at - a.at) / 1000;
    out.push(seconds > 0 ? Math.max(0, b.userBytesWritten - a.userBytesWritten) / seconds : 0);
  }
  return out;
}

/** Bytes of one level over time (0 where the level did not exist yet). */
export const levelSeries = (samples: readonly HistorySample[], level: number): number[] => samples.map((s) => s.levelBytes[level] ?? 0);
