/**
 * The writes a test issued, in the order it issued them (which is sequence
 * order: the commit queue numbers writes as they are submitted), and which
 * of them were acknowledged, for judging a collection recovered after a
 * simulated power cut (see power-cut-run.ts). The rules:
 *
 *   - The state must be exactly the result of the first p writes, for some p:
 *     plain writes that survive form a prefix, with no hole.
 *   - p must cover every sync write acknowledged before the cut, and so every
 *     write issued before it (a sync write makes those durable too).
 *   - Every value must be one that a write put under that key.
 *
 * Every value a test writes must be unique (say, the write's index in it), so
 * that a value tells which write it came from.
 */

export interface WriteOp {
  key: string;
  /** undefined: a delete. */
  value: string | undefined;
}

/** Where a cut fell: how many writes had been issued, and which acknowledgments had happened. */
export interface CutBound {
  issued: number;
  /** Writes that must be present: 1 + the index of the last sync write acknowledged, 0 if none. */
  syncedThrough: number;
  /** Acknowledgments seen so far (see WriteHistory.ackClock). */
  ackClock: number;
}

export interface Verdict {
  ok: boolean;
  /** When ok: the number of writes the state holds. */
  prefix?: number;
  /** Acknowledged sync writes (and the writes before them) whose effect is missing. */
  lostSyncWrites: number;
  /** Keys holding a value that no write put there. */
  wrongValues: number;
  /** The state is no prefix of the history (a hole), whether or not sync writes were lost. */
  hole: boolean;
  problem?: string;
}

/** Two 32-bit FNV-1a lanes of a key and value: an entry's contribution to a state's hash. */
function entryHash(key: string, value: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  const feed = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x000001b3) ^ (b >>> 15);
    }
  };
  feed(key);
  a = Math.imul(a ^ 0xffff, 0x01000193);
  b = Math.imul(b ^ 0xffff, 0x000001b3);
  feed(value);
  return [a >>> 0, b >>> 0];
}

export class WriteHistory {
  private readonly writes: { ops: WriteOp[]; sync: boolean; ackedAt: number }[] = [];
  private readonly model = new Map<string, string>();
  /** State hash after the first i writes, two lanes. */
  private readonly hashLo: number[] = [0];
  private readonly hashHi: number[] = [0];
  /** Per key, per value: the index of the write that put it. */
  private readonly origins = new Map<string, Map<string, number>>();
  /** Per key, the indexes of the writes that deleted it. */
  private readonly deletes = new Map<string, number[]>();
  private syncedThrough = 0;
  /** Counts acknowledgments, so a bound can tell which writes were acknowledged when it was taken. */
  ackClock = 0;

  get length(): number {
    return this.writes.length;
  }

  /** Records a write as issued; returns its index. */
  issue(ops: readonly WriteOp[], sync: boolean): number {
    const index = this.writes.length;
    this.writes.push({ ops: ops.map((o) => ({ ...o })), sync, ackedAt: Infinity });
    let lo = this.hashLo[index];
    let hi = this.hashHi[index];
    for (const { key, value } of ops) {
      const old = this.model.get(key);
      if (old !== undefined) {
        const [l, h] = entryHash(key, old);
        lo = (lo - l) >>> 0;
        hi = (hi - h) >>> 0;
      }
      if (value === undefined) {
        this.model.delete(key);
        let d = this.deletes.get(key);
        if (d === undefined) this.deletes.set(key, (d = []));
        d.push(index);
      } else {
        this.model.set(key, value);
        const [l, h] = entryHash(key, value);
        lo = (lo + l) >>> 0;
        hi = (hi + h) >>> 0;
        let o = this.origins.get(key);
        if (o === undefined) this.origins.set(key, (o = new Map()));
        if (o.has(value))
          throw new RangeError(`value ${JSON.stringify(value)} for ${JSON.stringify(key)} written twice: values must be unique`);
        o.set(value, index);
      }
    }
    this.hashLo.push(lo);
    this.hashHi.push(hi);
    return index;
  }

  /** The write's promise resolved: for a sync write, it and every write before it must survive any cut from now on. */
  ack(index: number): void {
    const w = this.writes[index];
    w.ackedAt = ++this.ackClock;
    if (w.sync) this.syncedThrough = Math.max(this.syncedThrough, index + 1);
  }

  /** The bound for a cut now. */
  bound(): CutBound {
    return { issued: this.writes.length, syncedThrough: this.syncedThrough, ackClock: this.ackClock };
  }

  /** The expected state after the first `count` writes. */
  stateAfter(count: number): Map<string, string> {
    const state = new Map<string, string>();
    for (let i = 0; i < count; i++) {
      for (const { key, value } of this.writes[i].ops) {
        if (value === undefined) state.delete(key);
        else state.set(key, value);
      }
    }
    return state;
  }

  /** Judges a recovered state against what the writes up to `bound` allow. */
  check(state: ReadonlyMap<string, string>, bound: CutBound): Verdict {
    let wrongValues = 0;
    const wrong: string[] = [];
    let lo = 0;
    let hi = 0;
    for (const [key, value] of state) {
      const origin = this.origins.get(key)?.get(value);
      if (origin === undefined || origin >= bound.issued) {
        wrongValues++;
        if (wrong.length < 5) wrong.push(`${JSON.stringify(key)} = ${JSON.stringify(value)}`);
      }
      const [l, h] = entryHash(key, value);
      lo = (lo + l) >>> 0;
      hi = (hi + h) >>> 0;
    }
    const matches = (p: number) => this.hashLo[p] === lo && this.hashHi[p] === hi && sameState(this.stateAfter(p), state);
    if (wrongValues === 0) {
      for (let p = bound.syncedThrough; p <= bound.issued; p++) {
        if (matches(p)) return { ok: true, prefix: p, lostSyncWrites: 0, wrongValues: 0, hole: false };
      }
      for (let p = bound.syncedThrough - 1; p >= 0; p--) {
        if (matches(p)) {
          const lost = this.ackedSyncWrites(p, bound);
          return {
            ok: false,
            prefix: p,
            lostSyncWrites: lost,
            wrongValues: 0,
            hole: false,
            problem: `the state is the first ${p} writes, but ${lost} acknowledged sync write(s) up to write ${bound.syncedThrough - 1} are missing`,
          };
        }
      }
    }
    // No prefix: say what is wrong against the shortest prefix that holds every value present.
    let needed = bound.syncedThrough;
    for (const [key, value] of state) {
      const origin = this.origins.get(key)?.get(value);
      if (origin !== undefined && origin < bound.issued) needed = Math.max(needed, origin + 1);
    }
    const expected = this.stateAfter(needed);
    const diffs: string[] = [];
    for (const [key, value] of expected) {
      if (state.get(key) !== value)
        diffs.push(`${JSON.stringify(key)}: expected ${JSON.stringify(value)}, found ${JSON.stringify(state.get(key))}`);
    }
    for (const [key, value] of state)
      if (!expected.has(key)) diffs.push(`${JSON.stringify(key)}: expected absent, found ${JSON.stringify(value)}`);
    let lostSyncWrites = 0;
    for (let i = 0; i < bound.syncedThrough; i++) {
      if (this.writes[i].sync && this.writes[i].ackedAt <= bound.ackClock && !this.present(i, state, bound)) lostSyncWrites++;
    }
    const parts = [
      wrongValues > 0 ? `${wrongValues} value(s) no write put there (${wrong.join(', ')})` : undefined,
      `no prefix of the ${bound.issued} writes issued gives this state (a hole); against the first ${needed}: ${diffs.slice(0, 6).join('; ')}${diffs.length > 6 ? ` … ${diffs.length} differences` : ''}`,
      lostSyncWrites > 0 ? `${lostSyncWrites} acknowledged sync write(s) missing` : undefined,
    ];
    return { ok: false, lostSyncWrites, wrongValues, hole: true, problem: parts.filter((p) => p !== undefined).join('; ') };
  }

  /** Sync writes in [from, bound.syncedThrough) that were acknowledged when the bound was taken. */
  private ackedSyncWrites(from: number, bound: CutBound): number {
    let n = 0;
    for (let i = from; i < bound.syncedThrough; i++) if (this.writes[i].sync && this.writes[i].ackedAt <= bound.ackClock) n++;
    return n;
  }

  /** Whether write `i`'s effect shows in `state`: each of its keys holds its value, or what a later write left there. */
  private present(i: number, state: ReadonlyMap<string, string>, bound: CutBound): boolean {
    return this.writes[i].ops.every(({ key }) => {
      const value = state.get(key);
      if (value !== undefined) return (this.origins.get(key)?.get(value) ?? -1) >= i;
      return (this.deletes.get(key) ?? []).some((d) => d >= i && d < bound.issued);
    });
  }
}

function sameState(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
