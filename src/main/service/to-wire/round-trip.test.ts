import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type Collection,
  type CompactionLauncher,
  type FromWorker,
  forkLauncher,
  NodeFileSystem,
  previewImport,
  StorageManager,
} from '@strata/engine';
import type { PushEvent } from '../../../shared/ipc/types';
import type { EngineEvent, EngineEventType } from '../../../shared/model/events';
import { EventHub } from '../event-hub';
import { LsmRecorder } from '../lsm-recorder';
import { ENGINE_EVENT_TYPES, watchEngineEvents } from './events';
import { explanationToWire, inspectionToWire } from './lookup';
import { repairToWire } from './repair';
import { statsToWire } from './stats';
import { previewToWire } from './transfer';

// The wire model, held against a real engine: every stats snapshot, event,
// lookup trace, table inspection, history, push, repair report and import
// preview that the app sends is (1) plain data that structured clone
// (Electron IPC) and JSON (web mode) carry unchanged, and (2) carries every
// field the engine reported, with the same value (an absent engine field
// becomes null, or false for a flag). Where the wire names a field
// otherwise, or adds one the engine states elsewhere, the test says so.

/** Walks a value and fails on anything but plain data: objects and arrays of strings, finite numbers, booleans and null. */
function assertPlain(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value) && !Object.is(value, -0), `${path}: ${value} does not survive JSON`);
    return;
  }
  assert.equal(typeof value, 'object', `${path}: a ${typeof value} is not plain data`);
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    assert.equal(proto, Array.prototype, `${path}: an array subclass`);
    value.forEach((v, i) => assertPlain(v, `${path}[${i}]`));
    return;
  }
  assert.ok(proto === Object.prototype || proto === null, `${path}: an instance of ${proto?.constructor?.name}, not a plain object`);
  for (const [k, v] of Object.entries(value as object)) assertPlain(v, `${path}.${k}`);
}

function assertRoundTrips(value: unknown, what: string): void {
  assertPlain(value, what);
  assert.deepStrictEqual(structuredClone(value), value, `${what} changes through structured clone`);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(value)), value, `${what} changes through JSON`);
}

/** Where the wire deliberately differs: fields it names otherwise (engine name → wire name), and fields it adds. */
interface Differences {
  renamed?: Record<string, string>;
  /** A table's level, stated by the level that lists it in the engine's stats. */
  added?: string[];
}

/** The wire value carries every field of the engine's, with its value; what the engine leaves out is null (or false, for a flag). */
function assertCarries(engine: unknown, wire: unknown, path: string, differs: Differences = {}): void {
  if (engine === undefined) {
    assert.ok(
      wire === null || wire === false,
      `${path}: absent from the engine, so null (or false) on the wire, not ${JSON.stringify(wire)}`,
    );
    return;
  }
  if (Array.isArray(engine)) {
    assert.ok(Array.isArray(wire), `${path}: an array in the engine`);
    assert.equal(wire.length, engine.length, `${path}: length`);
    engine.forEach((e, i) => assertCarries(e, wire[i], `${path}[${i}]`, differs));
    return;
  }
  if (engine !== null && typeof engine === 'object') {
    assert.ok(wire !== null && typeof wire === 'object', `${path}: an object in the engine`);
    const w = wire as Record<string, unknown>;
    const e = engine as Record<string, unknown>;
    const wireName = (key: string) => differs.renamed?.[key] ?? key;
    const engineName = Object.fromEntries(Object.keys(e).map((key) => [wireName(key), key]));
    for (const key of Object.keys(e)) assert.ok(wireName(key) in w, `${path}.${key}: the engine reports it, the wire drops it`);
    for (const key of Object.keys(w)) {
      if (!(key in engineName) && differs.added?.includes(key)) continue;
      assertCarries(e[engineName[key] ?? key], w[key], `${path}.${key}`, differs);
    }
    return;
  }
  assert.equal(wire, engine, path);
}

/** The engine's fork launcher, except that the first compaction job fails (as a worker reports an I/O error). */
function failingFirstJob(): CompactionLauncher {
  let failed = false;
  return () => {
    const worker = forkLauncher();
    const listeners: ((m: FromWorker) => void)[] = [];
    worker.onMessage((m) => listeners.forEach((l) => l(m)));
    return {
      get pid() {
        return worker.pid;
      },
      send(message) {
        if (message.type !== 'compact' || failed) return worker.send(message);
        failed = true;
        const reply: FromWorker = { type: 'failed', id: message.job.id, code: 'IO_ERROR', message: 'disk full (injected by the test)' };
        setImmediate(() => listeners.forEach((l) => l(reply)));
      },
      onMessage: (listener) => void listeners.push(listener),
      onExit: (listener) => worker.onExit(listener),
      kill: () => worker.kill(),
      keepAlive: (on) => worker.keepAlive?.(on),
    };
  };
}

/** A disk that refuses the first deletion of a table: housekeeping fails, so the engine warns (background-warning) and goes on. */
class FirstTableDeletionFails extends NodeFileSystem {
  private failed = false;
  override async remove(path: string): Promise<void> {
    if (!this.failed && path.endsWith('.sst')) {
      this.failed = true;
      throw Object.assign(new Error(`EBUSY: resource busy, unlink '${path}' (injected by the test)`), { code: 'EBUSY' });
    }
    return super.remove(path);
  }
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > 30_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const KEYS: [string, string][] = [
  ['a', ''],
  ['b', 'plain'],
  ['c', 'to be deleted'],
  ['d\u0000ctl', 'control \u0001 characters'],
  ['hé', 'ünïcödé 😀'],
  ['k', '{"json": [1, 2, 3]}'],
];

describe('the wire model round-trips real engine values', () => {
  let dir: string;
  let manager: StorageManager;
  let c: Collection;
  let recorder: LsmRecorder;
  const hub = new EventHub();
  const pushes: PushEvent[] = [];
  const raw: { type: EngineEventType; payload: unknown }[] = [];
  const wire: EngineEvent[] = [];
  let stopWire: () => void;
  const stats: { what: string; engine: ReturnType<Collection['stats']> }[] = [];
  const snapshot = (what: string) => stats.push({ what, engine: structuredClone(c.stats()) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-wire-'));
    manager = new StorageManager({ baseDataPath: dir, compactionLauncher: failingFirstJob(), fileSystem: new FirstTableDeletionFails() });
    // Compaction starts at two L0 tables, and writes slow down there too: the first job fails (the launcher
    // above) and is retried 100 ms later, so a write in between meets the slowdown, and stalls until it is done.
    await manager.createCollection('w', {
      level0CompactionTrigger: 2,
      level0SlowdownTrigger: 2,
      level0StopTrigger: 10,
    });
    c = await manager.getCollection('w');
    for (const type of ENGINE_EVENT_TYPES) c.on(type, (payload: unknown) => raw.push({ type, payload: structuredClone(payload) }));
    stopWire = watchEngineEvents(c, ENGINE_EVENT_TYPES, (e) => wire.push(e));
    c.on('compaction-progress', () => {
      if (!stats.some((s) => s.what === 'during a compaction')) snapshot('during a compaction');
    });
    recorder = new LsmRecorder(c);
    hub.subscribe((p) => pushes.push(p));
    hub.watch('w', c);

    for (const [key, value] of KEYS) await c.put(key, value);
    await c.delete('nothing-here');
    await c.flush();
    await c.put('b', 'newer');
    await c.delete('c');
    await c.flush();
    snapshot('at the slowdown trigger');
    await c.put('e', 'written while L0 is at its slowdown trigger');
    snapshot('while writes are stalled');
    await until('the failed compaction', () => wire.some((e) => e.type === 'compaction-error'));
    snapshot('after a failed compaction');
    await until('the retried compaction to end the stall', () => wire.some((e) => e.type === 'write-stall' && e.payload.phase === 'end'));
    await c.flush(); // 'e', written during the stall
    await c.compact();
    // A table of keys past everything in L1, without tombstones: compacting it is a trivial move.
    await c.put('z1', 'one');
    await c.put('z2', 'two');
    await c.flush();
    await c.compact();
    await c.delete('b');
    await until('a warning for the table the disk would not delete', () => wire.some((e) => e.type === 'background-warning'));
    snapshot('after compactions, with a tombstone in the memtable');
    await new Promise((r) => setTimeout(r, 250)); // the hub's last coalesced push
  });

  after(async () => {
    stopWire();
    recorder.dispose();
    hub.close();
    await manager.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees every kind of event the app forwards but a background error (the engine fails a collection only on a broken disk)', () => {
    assert.deepEqual([...new Set(wire.map((e) => e.type))].sort(), ENGINE_EVENT_TYPES.filter((t) => t !== 'background-error').sort());
    assert.ok(
      wire.some((e) => e.type === 'compaction-end' && e.payload.move),
      'a trivial move',
    );
  });

  it('events: each one as the engine emitted it, plain, tagged with its name', () => {
    assert.equal(wire.length, raw.length);
    wire.forEach((event, i) => {
      assert.equal(event.type, raw[i]!.type);
      assertRoundTrips(event, `event ${i} (${event.type})`);
      assertCarries(raw[i]!.payload, event.payload, `event ${i} (${event.type}).payload`, { added: ['level'] });
    });
  });

  it('stats: idle, stalled, during a compaction and after a failed one', () => {
    assert.deepEqual(stats.map((s) => s.what).sort(), [
      'after a failed compaction',
      'after compactions, with a tombstone in the memtable',
      'at the slowdown trigger',
      'during a compaction',
      'while writes are stalled',
    ]);
    for (const { what, engine } of stats) {
      const mapped = statsToWire(engine);
      assertRoundTrips(mapped, `stats ${what}`);
      assertCarries(engine, mapped, `stats ${what}`, { added: ['level'] });
      mapped.levels.forEach((l) =>
        assert.ok(
          l.files.every((f) => f.level === l.level),
          `stats ${what}: L${l.level}'s tables say so`,
        ),
      );
    }
    const stalled = statsToWire(stats.find((s) => s.what === 'while writes are stalled')!.engine);
    assert.equal(stalled.stalls.current?.reason, 'level0-slowdown');
    assert.notEqual(statsToWire(stats.find((s) => s.what === 'during a compaction')!.engine).compaction.running, null);
    assert.match(statsToWire(stats.find((s) => s.what === 'after a failed compaction')!.engine).compaction.lastError ?? '', /injected/);
  });

  it('lookup traces: a value in a table, a tombstone in the memtable, and an absent key', async () => {
    for (const key of ['k', 'hé', 'b', 'absent']) {
      const engine = await c.explainGet(key);
      const mapped = explanationToWire(engine, Number.MAX_SAFE_INTEGER);
      assertRoundTrips(mapped, `trace of ${key}`);
      assertCarries(engine, mapped, `trace of ${key}`);
    }
    assert.equal(explanationToWire(await c.explainGet('b'), 100).result, 'deleted');
    assert.equal(explanationToWire(await c.explainGet('k'), 3).value, '{"j', 'a long value is cut to a preview');
  });

  it('table inspections, with their first entries', async () => {
    const live = c.stats().levels.flatMap((l) => l.files);
    assert.ok(live.length >= 2, `${live.length} live tables`);
    for (const { id } of live) {
      const engine = await c.inspectTable(id, { firstEntries: 20, valuePreviewChars: 4 });
      const mapped = inspectionToWire(engine);
      assertRoundTrips(mapped, `table ${id}`);
      assertCarries(engine, mapped, `table ${id}`, { renamed: { fileNumber: 'id' } });
    }
  });

  it('the history: flushes, a failure, a compaction, a move and a stall, with trees and samples', () => {
    const history = recorder.history();
    assertRoundTrips(history, 'history');
    assert.deepEqual([...new Set(history.steps.map((s) => s.kind))].sort(), ['compaction', 'compaction-error', 'flush', 'move', 'stall']);
    assert.ok(history.samples.length >= 1, 'a sample');
  });

  it('pushes: coalesced events with a stats snapshot', () => {
    assert.ok(pushes.length >= 1, 'a push');
    pushes.forEach((p, i) => assertRoundTrips(p, `push ${i}`));
    assert.deepEqual(
      pushes.flatMap((p) => (p.kind === 'engine' ? p.events.map((e) => e.type) : [])),
      wire.map((e) => e.type),
      'every event reaches the renderer, in order (none is dropped: fewer than the cap wait per interval)',
    );
  });

  it('a recovery report (a torn log) and a repair report (a damaged manifest)', async () => {
    await c.put('torn', 'the last record, cut short');
    await manager.closeCollection('w');
    const folder = join(dir, 'w');
    const log = join(
      folder,
      readdirSync(folder)
        .filter((f) => f.endsWith('.log'))
        .sort()
        .at(-1)!,
    );
    const data = readFileSync(log);
    let end = 0;
    while (end + 12 <= data.length && data.readUInt32LE(end) !== 0) end += 12 + data.readUInt32LE(end);
    writeFileSync(log, data.subarray(0, end - 3));
    c = await manager.getCollection('w');
    const reopened = c.stats();
    assert.equal(reopened.recovery.tornWals.length, 1);
    assertRoundTrips(statsToWire(reopened), 'stats after a torn log');
    assertCarries(reopened, statsToWire(reopened), 'stats after a torn log', { added: ['level'] });
    await manager.closeCollection('w');

    const manifest = join(folder, readFileSync(join(folder, 'CURRENT'), 'utf8').trim());
    const bytes = readFileSync(manifest);
    bytes[20]! ^= 0xff;
    writeFileSync(manifest, bytes);
    const report = await manager.repairCollection('w');
    const mapped = repairToWire(report);
    assertRoundTrips(mapped, 'repair report');
    assertCarries(report, mapped, 'repair report');
    assert.equal(mapped.previousManifest.state, 'damaged');
  });

  it('an import preview, with its bad records', async () => {
    const sample = '{"key":"a","value":"1"}\nnot json\n{"key":"b","value":"\\u0000"}\n';
    const engine = await previewImport(sample, { fileName: 'x.ndjson', complete: true });
    const mapped = previewToWire(engine, { fileName: 'x.ndjson', sizeBytes: sample.length });
    assertRoundTrips(mapped, 'preview');
    const { fileName: _fileName, sizeBytes: _sizeBytes, ...fromEngine } = mapped;
    assertCarries(engine, fromEngine, 'preview');
    assert.equal(mapped.problems.length, 1);
  });
});
