/**
 * Crash tests: a child process (testing/kill-writer.ts) writes to a collection
 * with a tiny memtable, so flushes run all the time, and is SIGKILLed at a
 * random moment. Then the state on disk is checked against what the writer
 * printed: every acknowledged write is there, each unacknowledged write
 * (at most one per writer worker) is there wholly or not at all, and nothing
 * else is. Rounds run on the same directory, and in some of them the next
 * writer (not this process) is the one that recovers the killed directory,
 * so a recovery that is itself killed mid-flush gets recovered again.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StorageManager } from '../manager/storage-manager.js';
import {
  checkState,
  COLLECTION,
  type Expectation,
  exactly,
  expectAfter,
  parseWriterOutput,
  type WriterOutput,
} from '../testing/kill-protocol.js';
import { runKillWriter } from '../testing/kill-runner.js';
import { seededRandom } from '../testing/random.js';
import { tempDir } from '../testing/temp-dir.js';

const dir = tempDir('strata-kill');
after(dir.cleanup);

interface RoundResult {
  out: WriterOutput;
  stderr: string;
  /** Whether a flush had started and not ended when the kill came. */
  killedMidFlush: boolean;
  signal: NodeJS.Signals | null;
}

/**
 * Runs the writer until `killAfterMs` after its first acknowledged write, then
 * SIGKILLs it and waits until it is gone. Counting from the first ack rather
 * than from "ready" keeps rounds useful when a reopened collection starts with
 * writes held back until compaction brings L0 down.
 */
async function runWriter(
  base: string,
  seed: number,
  mode: string,
  workers: number,
  killAfterMs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<RoundResult> {
  let timer: NodeJS.Timeout | undefined;
  let flushState = { started: 0, ended: 0 };
  const run = await runKillWriter({ base, seed, mode, workers, env, safetyMs: 15_000 }, (stdout, kill) => {
    if (timer === undefined && /(^|\n)K /.test(stdout)) {
      timer = setTimeout(() => {
        const now = parseWriterOutput(stdout);
        flushState = { started: now.flushStarts, ended: now.flushEnds };
        kill();
      }, killAfterMs);
    }
  });
  if (timer) clearTimeout(timer);
  return {
    out: parseWriterOutput(run.stdout),
    stderr: run.stderr,
    killedMidFlush: flushState.started > flushState.ended,
    signal: run.signal,
  };
}

async function readAll(base: string): Promise<{ state: Map<string, string>; l0Files: number; tableFiles: number }> {
  const m = new StorageManager({ baseDataPath: base });
  try {
    const c = await m.useCollection(COLLECTION);
    const state = new Map<string, string>();
    for await (const [k, v] of c.scan()) state.set(k, v);
    const levels = c.stats().levels;
    return { state, l0Files: levels[0].fileCount, tableFiles: levels.reduce((n, l) => n + l.fileCount, 0) };
  } finally {
    await m.closeAll();
  }
}

function assertState(expect: Expectation, actual: Map<string, string>, where: string): void {
  const problems = checkState(expect, actual);
  assert.deepEqual(problems.slice(0, 12), [], `${where}: ${problems.length} durability violation(s)`);
}

describe('SIGKILL during writes and flushes', () => {
  test('every acknowledged write survives repeated kills; unacknowledged writes are all-or-nothing; nothing else appears', async (t) => {
    const base = join(dir.path, 'rounds');
    const m = new StorageManager({ baseDataPath: base, memtableBytes: 4096 });
    await m.createCollection(COLLECTION);
    await m.closeAll();

    const plan = [
      { mode: 'nosync', workers: 1, verifyHere: true },
      { mode: 'sync', workers: 1, verifyHere: false },
      { mode: 'mixed', workers: 4, verifyHere: true },
      { mode: 'nosync', workers: 4, verifyHere: false },
      { mode: 'sync', workers: 4, verifyHere: true },
      { mode: 'mixed', workers: 1, verifyHere: false },
      { mode: 'nosync', workers: 2, verifyHere: false },
      { mode: 'mixed', workers: 4, verifyHere: true },
    ];
    const rand = seededRandom(20240611);
    let expect: Expectation = exactly(new Map());
    let acks = 0;
    let flushes = 0;
    let midFlush = 0;
    for (let i = 0; i < plan.length; i++) {
      const { mode, workers, verifyHere } = plan[i];
      const seed = 1000 + i; // also the run number in the values
      const killAfterMs = 50 + Math.floor(rand() * 350);
      const where = `round ${i} (${mode}, ${workers} worker(s), killed ${killAfterMs} ms after its first ack)`;
      const r = await runWriter(base, seed, mode, workers, killAfterMs);
      assert.deepEqual(r.out.errors, [], `${where}: writer failed\n${r.stderr}`);
      assert.deepEqual(r.out.problems, [], `${where}: writer output out of protocol`);
      assert.equal(r.signal, 'SIGKILL', `${where}: writer was not killed but exited\n${r.stderr}`);
      assert.ok(r.out.ready && r.out.dump !== undefined, `${where}: writer never got ready\n${r.stderr}`);
      // What the writer recovered must be what the previous round allows.
      assertState(expect, r.out.dump, `${where}, state the writer recovered at open`);
      const roundAcks = r.out.attempts.filter((a) => a.acked).length;
      assert.ok(roundAcks > 0, `${where}: no write was acknowledged`);
      acks += roundAcks;
      flushes += r.out.flushEnds;
      if (r.killedMidFlush) midFlush++;
      expect = expectAfter(r.out.dump, seed, r.out);
      if (verifyHere || i === plan.length - 1) {
        const { state } = await readAll(base);
        assertState(expect, state, `${where}, state reopened by the test`);
        expect = exactly(state);
      }
      t.diagnostic(
        `${where}: ${r.out.attempts.length} writes started, ${roundAcks} acknowledged, ${r.out.flushEnds} flushes${r.killedMidFlush ? ', killed mid-flush' : ''}`,
      );
    }
    // Read again after the last verification's clean close: still the same.
    const final = await readAll(base);
    // What a kill leaves (a table cut short, an unlisted flush or compaction output, a flushed WAL) is provably obsolete.
    const lost = join(base, COLLECTION, 'lost');
    assert.deepEqual(existsSync(lost) ? readdirSync(lost) : [], [], 'no recovery after a kill set a file aside');
    assertState(expect, final.state, 'after a clean reopen');
    t.diagnostic(
      `${acks} acknowledged writes, ${flushes} flushes completed, ${midFlush} round(s) killed mid-flush, ${final.l0Files} L0 tables`,
    );
    assert.ok(acks >= 200, `only ${acks} writes were acknowledged: the rounds did not exercise much`);
    assert.ok(flushes >= plan.length, `only ${flushes} flushes completed in the writers: kills did not cover flushing`);
    assert.ok(final.l0Files > 0, 'flushed tables exist at L0');
    assert.ok(final.state.size > 0, 'the collection is not empty');
  });

  test('the checker catches lost acknowledged writes (a writer whose WAL appends are held in memory)', async () => {
    const base = join(dir.path, 'sabotaged');
    // A memtable big enough that nothing is flushed before the kill: every acknowledged
    // write lives only in the (sabotaged) WAL, so losing them cannot depend on timing.
    const m = new StorageManager({ baseDataPath: base, memtableBytes: 1 << 20, autoCompaction: false });
    await m.createCollection(COLLECTION);
    await m.closeAll();
    const r = await runWriter(base, 1, 'nosync', 1, 250, { STRATA_KILL_SABOTAGE: 'buffer-wal' });
    assert.deepEqual(r.out.errors, [], r.stderr);
    assert.ok(r.out.attempts.filter((a) => a.acked).length > 50);
    const expect = expectAfter(r.out.dump!, 1, r.out);
    const { state } = await readAll(base);
    const problems = checkState(expect, state);
    assert.ok(problems.length > 0, 'acknowledged writes held in memory were lost, and the checker must say so');
    assert.ok(
      problems.some((p) => /\(lost\)|acknowledged/.test(p)),
      problems.slice(0, 3).join('\n'),
    );
  });
});
