import type { StallReason, WriteStallEvent } from '../events/events.js';

/** A stall event as the gate knows it; the collection adds the state the gate reacted to. */
export type StallChange = Omit<WriteStallEvent, 'level0Files' | 'immutableMemtables'>;

export type GateState = { state: 'open' } | { state: 'slow' | 'stop'; reason: StallReason };

/**
 * Backpressure for writes, LevelDB-style. While the gate is open, writes go
 * straight through. When it is "slow" (L0 at its slowdown trigger), queued
 * writes are let through in one group per millisecond, so compaction can
 * catch up without stopping writers; when it is "stop" (L0 at its stop
 * trigger, or too many memtables waiting for flush), they wait until pump()
 * finds it open again. Writes leave the queue in arrival order, so a later
 * write never commits before an earlier one. A stall is reported as a
 * write-stall start and end event, and its time is counted.
 */
export class WriteGate {
  private waiters: (() => void)[] = [];
  private slowTimer: NodeJS.Timeout | undefined;
  private stallStarted: number | undefined;
  private stallReason: StallReason | undefined;
  /** Epoch ms of the stall in progress, for timelines (durations use the monotonic clock). */
  private stallStartedAt = 0;
  stallTimeMs = 0;
  stalls = 0;

  constructor(
    private readonly check: () => GateState,
    private readonly stallChanged: (change: StallChange) => void,
  ) {}

  /** True when a write may go straight through: the gate is open and no write is queued before it. */
  get passable(): boolean {
    return this.waiters.length === 0 && this.check().state === 'open';
  }

  /** Runs `submit` now if writes may proceed and none are queued; otherwise queues it. */
  admit(submit: () => Promise<void>): Promise<void> {
    if (this.passable) return submit();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push(() => void submit().then(resolve, reject));
      this.pump();
    });
  }

  get stalled(): boolean {
    return this.stallStarted !== undefined;
  }

  /** Re-evaluates the gate: call whenever a flush or compaction finished. */
  pump(): void {
    while (this.waiters.length > 0) {
      const gate = this.check();
      if (gate.state === 'stop') return this.beginStall(gate.reason);
      if (gate.state === 'slow') {
        this.beginStall(gate.reason);
        this.slowTimer ??= setTimeout(() => {
          this.slowTimer = undefined;
          // The gate may have stopped since this slot was scheduled (a flush added an L0 table).
          if (this.check().state !== 'stop') this.release();
          this.pump();
        }, 1);
        return;
      }
      this.release();
    }
    if (this.check().state === 'open') this.endStall();
  }

  /** Lets every queued write through at once (they then see a closed or failed collection themselves). */
  releaseAll(): void {
    if (this.slowTimer) clearTimeout(this.slowTimer);
    this.slowTimer = undefined;
    this.release();
    this.endStall();
  }

  /** The stall in progress, if any. */
  get current(): { reason: StallReason; startedAt: number; durationMs: number } | undefined {
    if (this.stallStarted === undefined) return undefined;
    return { reason: this.stallReason!, startedAt: this.stallStartedAt, durationMs: performance.now() - this.stallStarted };
  }

  /** Stall time including a stall still in progress. */
  get totalStallMs(): number {
    return this.stallTimeMs + (this.stallStarted === undefined ? 0 : performance.now() - this.stallStarted);
  }

  private release(): void {
    for (const run of this.waiters.splice(0)) run();
  }

  private beginStall(reason: StallReason): void {
    if (this.stallStarted !== undefined) return;
    this.stallStarted = performance.now();
    this.stallStartedAt = Date.now();
    this.stallReason = reason;
    this.stalls++;
    this.stallChanged({ phase: 'start', reason, startedAt: this.stallStartedAt });
  }

  private endStall(): void {
    if (this.stallStarted === undefined) return;
    const durationMs = performance.now() - this.stallStarted;
    this.stallTimeMs += durationMs;
    this.stallStarted = undefined;
    this.stallChanged({ phase: 'end', reason: this.stallReason!, durationMs, startedAt: this.stallStartedAt, endedAt: Date.now() });
  }
}
