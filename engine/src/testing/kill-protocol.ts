/**
 * What kill-writer.ts prints, and the checker kill.test.ts runs on it.
 *
 * The writer prints one line per event with fs.writeSync, so a line is in the
 * pipe before the next step starts:
 *
 *   O <run>                          the collection is open
 *   S <key> <value>                  one entry of the state it found at open (a scan)
 *   R                                state dump complete; writing starts
 *   A <worker> <counter> <0|1> <ops> about to submit a write (sync flag); ops is
 *                                    "p:key" / "d:key" joined by ","; a batch has several
 *   K <worker> <counter>             that write resolved (was acknowledged)
 *   FS <id> / FE <id>                a flush started / ended
 *   CS <id> <level> <outputLevel> <move>
 *                                    a compaction started; move is 1 for a trivial move (a manifest
 *                                    edit only), 0 for a merge in the worker (only with STRATA_KILL_COMPACT=1)
 *   CE <id> / CX <id>                that compaction was installed / failed (likewise)
 *   E <message>                      a write failed (the writer then exits with 1)
 *
 * Each worker owns the keys whose index is its number modulo the worker count
 * and waits for each write before starting the next, so per worker at most
 * one write is in flight, and a worker's writes reach the log in counter
 * order. Values are derived from (key, run, counter), so every value a key
 * may legitimately hold is known, and a value from nowhere is detected.
 */

export const KEY_SPACE = 500;
export const COLLECTION = 'kv';

/** Options kill-writer.ts creates the collection with when STRATA_KILL_COMPACT=1: compactions into L1 and L2 run all the time. */
export const COMPACT_OPTIONS = { memtableBytes: 16 * 1024, level1TargetBytes: 64 * 1024, targetFileBytes: 16 * 1024 };

export const keyName = (i: number) => `k${String(i).padStart(3, '0')}`;

/** The value a put of `key` with this run and counter writes (with some padding, to fill memtables). */
export function valueFor(key: string, run: number, counter: number): string {
  return `${key}:${run}:${counter}:${'x'.repeat((counter * 37 + run * 11) % 160)}`;
}

export type Op = { type: 'put'; key: string } | { type: 'delete'; key: string };

export interface Attempt {
  worker: number;
  counter: number;
  sync: boolean;
  ops: Op[];
  acked: boolean;
}

export interface WriterOutput {
  run: number | undefined;
  opened: boolean;
  ready: boolean;
  /** The state the writer found at open, if it finished printing it. */
  dump: Map<string, string> | undefined;
  attempts: Attempt[];
  flushStarts: number;
  flushEnds: number;
  /** Compactions started, installed and failed (printed only by a writer run with STRATA_KILL_COMPACT=1). */
  compactionStarts: number;
  compactionEnds: number;
  compactionErrors: number;
  /** Whether the output ends inside a compaction: a CS line with no CE/CX for it after. */
  compactingAtEnd: boolean;
  errors: string[];
  /** Protocol problems (a line out of order): these make the round fail. */
  problems: string[];
}

export const encodeOps = (ops: Op[]) => ops.map((o) => `${o.type === 'put' ? 'p' : 'd'}:${o.key}`).join(',');

/** Parses the complete lines of a writer's stdout (a trailing partial line is ignored). */
export function parseWriterOutput(text: string): WriterOutput {
  const out: WriterOutput = {
    run: undefined,
    opened: false,
    ready: false,
    dump: undefined,
    attempts: [],
    flushStarts: 0,
    flushEnds: 0,
    compactionStarts: 0,
    compactionEnds: 0,
    compactionErrors: 0,
    compactingAtEnd: false,
    errors: [],
    problems: [],
  };
  const lines = text.split('\n');
  lines.pop(); // after the last '\n': empty, or a line cut by the kill
  const dump = new Map<string, string>();
  const inFlight = new Map<number, Attempt>();
  let compacting: string | undefined;
  for (const line of lines) {
    const sp = line.indexOf(' ');
    const tag = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    switch (tag) {
      case 'O':
        out.opened = true;
        out.run = Number(rest);
        break;
      case 'S': {
        const i = rest.indexOf(' ');
        dump.set(rest.slice(0, i), rest.slice(i + 1));
        break;
      }
      case 'R':
        out.ready = true;
        out.dump = dump;
        break;
      case 'A': {
        const [w, c, s, ops] = rest.split(' ');
        const a: Attempt = {
          worker: Number(w),
          counter: Number(c),
          sync: s === '1',
          acked: false,
          ops: ops.split(',').map((o) => ({ type: o[0] === 'p' ? 'put' : 'delete', key: o.slice(2) }) as Op),
        };
        if (inFlight.has(a.worker))
          out.problems.push(`worker ${a.worker} started write ${a.counter} before write ${inFlight.get(a.worker)!.counter} resolved`);
        const prev = out.attempts[out.attempts.length - 1];
        if (prev !== undefined && a.counter <= prev.counter) out.problems.push(`counter ${a.counter} is not above ${prev.counter}`);
        inFlight.set(a.worker, a);
        out.attempts.push(a);
        break;
      }
      case 'K': {
        const [w, c] = rest.split(' ').map(Number);
        const a = inFlight.get(w);
        if (a === undefined || a.counter !== c) out.problems.push(`ack of ${w}/${c} does not match the write in flight`);
        else {
          a.acked = true;
          inFlight.delete(w);
        }
        break;
      }
      case 'FS':
        out.flushStarts++;
        break;
      case 'FE':
        out.flushEnds++;
        break;
      case 'CS':
        out.compactionStarts++;
        compacting = rest.split(' ')[0];
        break;
      case 'CE':
      case 'CX':
        if (tag === 'CE') out.compactionEnds++;
        else out.compactionErrors++;
        if (rest === compacting) compacting = undefined;
        break;
      case 'E':
        out.errors.push(rest);
        break;
      default:
        if (line.trim() !== '') out.problems.push(`unexpected line ${JSON.stringify(line.slice(0, 80))}`);
    }
  }
  out.compactingAtEnd = compacting !== undefined;
  return out;
}

/**
 * What may be on disk after a round: the state every acknowledged write
 * produced, plus, per worker, its one unacknowledged write either wholly
 * applied or not at all.
 */
export interface Expectation {
  acked: Map<string, string>;
  pending: { run: number; attempt: Attempt }[];
}

function apply(state: Map<string, string>, run: number, a: Attempt): void {
  for (const op of a.ops) {
    if (op.type === 'put') state.set(op.key, valueFor(op.key, run, a.counter));
    else state.delete(op.key);
  }
}

/** The expectation after a round that started from `start` (the known state at its beginning). */
export function expectAfter(start: Map<string, string>, run: number, out: WriterOutput): Expectation {
  const acked = new Map(start);
  const pending: Expectation['pending'] = [];
  for (const a of out.attempts) {
    if (a.acked) apply(acked, run, a);
    else pending.push({ run, attempt: a });
  }
  return { acked, pending };
}

/** An exact expectation: this state and nothing else. */
export const exactly = (state: Map<string, string>): Expectation => ({ acked: new Map(state), pending: [] });

/**
 * Checks an observed state against an expectation; returns the violations
 * (empty when the state is one the durability contract allows).
 */
export function checkState(expect: Expectation, actual: Map<string, string>): string[] {
  const problems: string[] = [];
  const covered = new Set<string>();
  const show = (v: string | undefined) => (v === undefined ? '(absent)' : JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v));
  for (const { run, attempt } of expect.pending) {
    const keys = attempt.ops.map((o) => o.key);
    const applied = new Map(expect.acked);
    apply(applied, run, attempt);
    const matches = (state: Map<string, string>) => keys.every((k) => actual.get(k) === state.get(k));
    if (!matches(applied) && !matches(expect.acked)) {
      const detail = keys.map(
        (k) => `${k}: found ${show(actual.get(k))}, acked ${show(expect.acked.get(k))}, attempted ${show(applied.get(k))}`,
      );
      problems.push(
        `unacknowledged write ${attempt.counter} (worker ${attempt.worker}) is neither wholly applied nor wholly absent: ${detail.join('; ')}`,
      );
    }
    for (const k of keys) covered.add(k);
  }
  for (const [k, v] of expect.acked) {
    if (covered.has(k)) continue;
    const got = actual.get(k);
    if (got !== v) problems.push(`${k}: acknowledged ${show(v)} but found ${show(got)}${got === undefined ? ' (lost)' : ''}`);
  }
  for (const [k, v] of actual) {
    if (!covered.has(k) && !expect.acked.has(k))
      problems.push(`${k}: found ${show(v)}, but its last acknowledged write deleted it or it was never written`);
  }
  return problems;
}
