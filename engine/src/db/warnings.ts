import type { BackgroundWarningEvent } from '../events/events.js';
import type { WarningStats } from '../events/stats.js';

/** How many warnings stats() keeps besides the count. */
const RECENT = 10;

/** One collection's background warnings this session: counted, with the last few kept for stats(). */
export class Warnings {
  private count = 0;
  private readonly recent: BackgroundWarningEvent[] = [];

  /** Records that `operation` on `path` failed with `err`; returns the warning to emit. */
  record(operation: string, path: string, err: unknown): BackgroundWarningEvent {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    const warning: BackgroundWarningEvent = {
      operation,
      path,
      message: err instanceof Error ? err.message : String(err),
      code: typeof code === 'string' ? code : undefined,
      at: Date.now(),
    };
    this.count++;
    this.recent.push(warning);
    if (this.recent.length > RECENT) this.recent.shift();
    return warning;
  }

  stats(): WarningStats {
    return { count: this.count, recent: this.recent.map((w) => ({ ...w })) };
  }
}
