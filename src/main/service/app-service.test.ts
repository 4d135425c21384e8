import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { StorageManager } from '@strata/engine';
import { LIMITS } from '../../shared/ipc/contract';
import type { JobProgress, PushEvent } from '../../shared/ipc/types';
import { AppService } from './app-service';

let dir: string;
let service: AppService;
let pushes: PushEvent[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-app-'));
  service = new AppService({ mode: 'web', version: '0.0.0-test', dataDir: join(dir, 'data'), recentFile: join(dir, 'recent.json') });
  pushes = [];
  service.subscribe((e) => pushes.push(e));
  await service.start();
});
afterEach(async () => {
  await service.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function seed(name: string, keys: string[]): Promise<void> {
  await service['collections.create']({ name });
  for (const key of keys) await service['keys.put']({ collection: name, key, value: `v:${key}` });
}
const keysOf = (page: { rows: { key: string }[] }) => page.rows.map((r) => r.key);

describe('app service: collections', () => {
  it('creates, lists with a summary, closes, reopens and drops a collection', async () => {
    await seed('users', ['a', 'b', 'c']);
    const [summary] = await service['collections.list']();
    assert.equal(summary!.name, 'users');
    assert.equal(summary!.open, true);
    assert.equal(summary!.approxKeys, 3);
    assert.ok(summary!.diskBytes > 0 && summary!.files > 0);
    await service['collections.close']({ name: 'users' });
    assert.deepEqual(
      (await service['collections.list']()).map((s) => [s.name, s.open, s.approxKeys]),
      [['users', false, 3]],
    );
    assert.equal((await service['keys.get']({ collection: 'users', key: 'b' }))?.value, 'v:b');
    await service['collections.drop']({ name: 'users', confirm: 'users' });
    assert.deepEqual(await service['collections.list'](), []);
    assert.ok(pushes.some((p) => p.kind === 'collections-changed'));
  });

  it('checks names with the engine rules and reports duplicates', async () => {
    assert.equal(await service['collections.checkName']({ name: 'good_name-1' }), null);
    assert.match((await service['collections.checkName']({ name: '.hidden' }))!, /must not start with "."/);
    assert.match((await service['collections.checkName']({ name: 'a/b' }))!, /a\/b/);
    await service['collections.create']({ name: 'taken' });
    assert.match((await service['collections.checkName']({ name: 'taken' }))!, /already exists/);
    assert.match((await service['collections.checkName']({ name: 'Taken' }))!, /differs from the existing collection "taken" only in case/);
    assert.match((await service['collections.checkName']({ name: 'aux.txt' }))!, /reserved on Windows/);
    await assert.rejects(service['collections.create']({ name: 'taken' }), { code: 'COLLECTION_EXISTS' });
  });

  it('refuses to drop unless the confirmation repeats the name', async () => {
    await seed('keep', ['a']);
    await assert.rejects(service['collections.drop']({ name: 'keep', confirm: 'kep' }), /type its name exactly/);
    assert.equal((await service['collections.list']()).length, 1);
  });

  it('reports a collection held open by another process as locked, naming it', async () => {
    await service['collections.create']({ name: 'busy' });
    await service['collections.close']({ name: 'busy' });
    const other = new StorageManager({ baseDataPath: join(dir, 'data') });
    await other.getCollection('busy');
    try {
      await assert.rejects(service['collections.open']({ name: 'busy' }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'COLLECTION_LOCKED');
        assert.match(err.message, /busy/);
        return true;
      });
    } finally {
      await other.closeAll();
    }
  });
});

describe('app service: key pages', () => {
  const keys = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`);
  beforeEach(() => seed('c', [...keys, 'other']));

  it('pages forward with a cursor until done, without repeating or skipping a key', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await service['keys.page']({ collection: 'c', filter: { prefix: 'k' }, reverse: false, after, limit: 10 });
      seen.push(...keysOf(page));
      if (page.done) break;
      after = seen.at(-1);
    }
    assert.deepEqual(seen, keys);
  });

  it('pages in reverse within a range, the cursor and the range bound combined', async () => {
    const first = await service['keys.page']({ collection: 'c', filter: { gte: 'k05', lt: 'k12' }, reverse: true, limit: 4 });
    assert.deepEqual(keysOf(first), ['k11', 'k10', 'k09', 'k08']);
    assert.equal(first.done, false);
    const rest = await service['keys.page']({ collection: 'c', filter: { gte: 'k05', lt: 'k12' }, reverse: true, after: 'k08', limit: 10 });
    assert.deepEqual(keysOf(rest), ['k07', 'k06', 'k05']);
    assert.equal(rest.done, true);
  });

  it('jumps to a key, or to where it would be', async () => {
    const at = await service['keys.page']({ collection: 'c', filter: {}, reverse: false, from: 'k20', limit: 2 });
    assert.deepEqual(keysOf(at), ['k20', 'k21']);
    const between = await service['keys.page']({ collection: 'c', filter: {}, reverse: false, from: 'k20a', limit: 2 });
    assert.deepEqual(keysOf(between), ['k21', 'k22']);
    const backward = await service['keys.page']({ collection: 'c', filter: { prefix: 'k' }, reverse: true, after: 'k20', limit: 2 });
    assert.deepEqual(keysOf(backward), ['k19', 'k18']);
    const beforeFilter = await service['keys.page']({ collection: 'c', filter: { gte: 'k10' }, reverse: false, from: 'a', limit: 1 });
    assert.deepEqual(keysOf(beforeFilter), ['k10']);
  });

  it('sends a preview and the byte size, and the full value only when asked', async () => {
    const big = 'é'.repeat(LIMITS.fullValueChars + 10);
    await service['keys.put']({ collection: 'c', key: 'big', value: big });
    const [row] = (await service['keys.page']({ collection: 'c', filter: { prefix: 'big' }, reverse: false, limit: 5 })).rows;
    assert.equal(row!.preview.length, LIMITS.previewChars);
    assert.equal(row!.valueBytes, Buffer.byteLength(big));
    const preview = await service['keys.get']({ collection: 'c', key: 'big' });
    assert.equal(preview!.truncated, true);
    assert.equal(preview!.value.length, LIMITS.fullValueChars);
    const full = await service['keys.get']({ collection: 'c', key: 'big', full: true });
    assert.equal(full!.truncated, false);
    assert.equal(full!.value, big);
    assert.equal(await service['keys.get']({ collection: 'c', key: 'nope' }), null);
  });

  it('counts what a filter matches, stopping at the maximum', async () => {
    assert.deepEqual(await service['keys.count']({ collection: 'c', filter: { prefix: 'k' }, max: 100 }), { count: 25, complete: true });
    assert.deepEqual(await service['keys.count']({ collection: 'c', filter: { prefix: 'k' }, max: 10 }), { count: 10, complete: false });
  });

  it('deletes selected keys and reports engine validation errors by name', async () => {
    assert.deepEqual(await service['keys.delete']({ collection: 'c', keys: ['k00', 'k01'] }), { deleted: 2 });
    assert.equal(await service['keys.get']({ collection: 'c', key: 'k00' }), null);
    await assert.rejects(service['keys.put']({ collection: 'c', key: 'bad\ud800', value: 'x' }), { code: 'INVALID_KEY' });
  });
});

describe('app service: delete-matching jobs', () => {
  const waitFor = async (pred: (j: JobProgress) => boolean): Promise<JobProgress> => {
    for (let i = 0; i < 500; i++) {
      const job = pushes.flatMap((p) => (p.kind === 'job' ? [p.job] : [])).find(pred);
      if (job) return job;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('job did not reach the expected state');
  };

  it('deletes everything the filter matches and nothing else, reporting progress', async () => {
    await service['collections.create']({ name: 'j' });
    const ops = Array.from({ length: 3500 }, (_, i) => `del:${String(i).padStart(5, '0')}`);
    // Concurrent synced puts share fsyncs (group commit), which keeps the setup fast.
    await Promise.all([...ops, 'keep:1', 'keep:2'].map((key) => service['keys.put']({ collection: 'j', key, value: 'x' })));
    const started = await service['jobs.deleteMatching']({ collection: 'j', filter: { prefix: 'del:' }, expected: 3500 });
    const done = await waitFor((j) => j.id === started.id && j.state !== 'running');
    assert.equal(done.state, 'done');
    assert.equal(done.done, 3500);
    assert.equal(done.total, 3500);
    assert.deepEqual(await service['keys.count']({ collection: 'j', filter: {}, max: 100 }), { count: 2, complete: true });
  });

  it('stops at a batch boundary when cancelled and says how many it deleted', async () => {
    await service['collections.create']({ name: 'j' });
    const c = Array.from({ length: 20_000 }, (_, i) => ({ key: `del:${String(i).padStart(6, '0')}` }));
    for (let i = 0; i < c.length; i += 1000) {
      await Promise.all(c.slice(i, i + 1000).map(({ key }) => service['keys.put']({ collection: 'j', key, value: 'x' })));
    }
    const started = await service['jobs.deleteMatching']({ collection: 'j', filter: { prefix: 'del:' } });
    await service['jobs.cancel']({ id: started.id });
    const end = await waitFor((j) => j.id === started.id && j.state !== 'running');
    assert.equal(end.state, 'cancelled');
    const left = (await service['keys.count']({ collection: 'j', filter: {}, max: 100_000 })).count;
    assert.equal(left + end.done, 20_000, 'every key is either deleted and counted, or still there');
    assert.equal(end.done % 1000, 0, 'whole batches only');
    assert.match(end.message, /cancelled after deleting/);
    await assert.rejects(service['jobs.cancel']({ id: started.id }), /no running job/);
  });
});

describe('app service: folders and events', () => {
  it('switches data folder, closing the old one, and remembers recent folders', async () => {
    await seed('old', ['a']);
    const other = join(dir, 'other');
    const info = await service['folder.open']({ path: other });
    assert.equal(info.dataDir, other);
    assert.deepEqual(info.recentDirs.slice(0, 2), [other, join(dir, 'data')]);
    assert.deepEqual(await service['collections.list'](), []);
    assert.ok(pushes.some((p) => p.kind === 'folder-changed'));
    // The old folder's collection was closed: another manager can open it now.
    const m = new StorageManager({ baseDataPath: join(dir, 'data') });
    await m.getCollection('old');
    await m.closeAll();
  });

  it('says the native dialog exists only in the desktop app', async () => {
    await assert.rejects(service['folder.choose'](), /only available in the desktop app/);
  });

  it('coalesces engine events into at most one push per collection per 100 ms, with stats', async () => {
    await service['collections.create']({ name: 'e' });
    pushes.length = 0;
    const started = Date.now();
    for (let i = 0; i < 30; i++) {
      await service['keys.put']({ collection: 'e', key: `k${i}`, value: 'x'.repeat(1000) });
      await service['collections.stats']({ name: 'e' });
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 150));
    const engine = pushes.filter((p) => p.kind === 'engine');
    const elapsed = Date.now() - started;
    assert.ok(engine.length >= 1, 'stats pushed after writes');
    assert.ok(engine.length <= Math.ceil(elapsed / 100) + 1, `${engine.length} pushes in ${elapsed} ms`);
    const last = engine.at(-1)!;
    assert.equal(last.kind === 'engine' && last.stats?.memtable.entries, 30);
  });
});

describe('app service: the LSM tree', () => {
  const finished = async (id: string): Promise<JobProgress> => {
    for (let i = 0; i < 3000; i++) {
      const job = pushes.flatMap((p) => (p.kind === 'job' ? [p.job] : [])).find((j) => j.id === id && j.state !== 'running');
      if (job) return job;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('job did not finish');
  };

  it('records flushes and compactions with the tree after each step', async () => {
    await seed('t', ['a', 'b', 'c']);
    await service['lsm.flush']({ collection: 't' });
    await service['keys.put']({ collection: 't', key: 'b', value: 'newer' });
    await service['lsm.flush']({ collection: 't' });
    await service['lsm.compact']({ collection: 't' });
    const { steps, samples } = await service['lsm.history']({ collection: 't' });
    const kinds = steps.map((s) => s.kind);
    assert.deepEqual(kinds.slice(0, 2), ['flush', 'flush']);
    assert.ok(kinds.includes('compaction'), kinds.join());
    const afterSecondFlush = steps[1]!.levels!;
    assert.equal(afterSecondFlush[0]!.length, 2, 'two L0 tables after two flushes');
    const last = steps.at(-1)!.levels!;
    assert.equal(last[0]!.length, 0, 'compact() empties L0');
    assert.equal(
      last.flat().reduce((n, t) => n + t.entries, 0),
      3,
      'the older version of b is gone',
    );
    assert.ok(samples.length >= 1);
    assert.equal((await service['keys.get']({ collection: 't', key: 'b' }))?.value, 'newer');
  });

  it('runs a workload that can be stopped, and each pattern writes what it says', async () => {
    await service['collections.create']({ name: 'w' });
    const seq = await service['jobs.workload']({
      collection: 'w',
      count: 2000,
      rate: 0,
      pattern: 'sequential',
      valueBytes: 50,
      keyPrefix: 'seq:',
    });
    const seqDone = await finished(seq.id);
    assert.equal(seqDone.state, 'done');
    assert.equal(seqDone.done, 2000);
    assert.deepEqual(await service['keys.count']({ collection: 'w', filter: { prefix: 'seq:' }, max: 10_000 }), {
      count: 2000,
      complete: true,
    });

    const over = await finished(
      (await service['jobs.workload']({ collection: 'w', count: 2000, rate: 0, pattern: 'overwrite', valueBytes: 10, keyPrefix: 'ow:' }))
        .id,
    );
    assert.equal(over.done, 2000);
    assert.ok(
      (await service['keys.count']({ collection: 'w', filter: { prefix: 'ow:' }, max: 10_000 })).count <= 200,
      'a working set of N/10 keys',
    );

    const before = performance.now();
    const slow = await service['jobs.workload']({
      collection: 'w',
      count: 1_000_000,
      rate: 2000,
      pattern: 'random',
      valueBytes: 10,
      keyPrefix: 'r:',
    });
    await new Promise((r) => setTimeout(r, 300));
    await service['jobs.cancel']({ id: slow.id });
    const stopped = await finished(slow.id);
    const seconds = (performance.now() - before) / 1000;
    assert.equal(stopped.state, 'cancelled');
    // Paced against the clock: never ahead of 2000/s, however slow this machine is.
    assert.ok(
      stopped.done > 0 && stopped.done <= Math.ceil(seconds * 2000),
      `paced at 2000/s: wrote ${stopped.done} in ${seconds.toFixed(2)} s`,
    );
    assert.match(stopped.message, /stopped after/);
  });
});

describe('app service: lookup trace and table inspector', () => {
  it('traces where a key is, and inspects the table that holds it', async () => {
    await seed('x', ['a', 'b']);
    await service['lsm.flush']({ collection: 'x' });
    const present = await service['lsm.explainGet']({ collection: 'x', key: 'a' });
    assert.equal(present.result, 'value');
    assert.equal(present.foundIn?.source, 'table');
    const absent = await service['lsm.explainGet']({ collection: 'x', key: 'zzz' });
    assert.equal(absent.result, 'absent');
    const table = await service['lsm.inspectTable']({ collection: 'x', fileNumber: present.foundIn!.id! });
    assert.equal(table.entries, 2);
    assert.deepEqual(
      table.firstEntries.map((e) => e.key),
      ['a', 'b'],
    );
    await assert.rejects(service['lsm.inspectTable']({ collection: 'x', fileNumber: 99_999 }), { code: 'INVALID_ARGUMENT' });
  });
});

describe('app service: desktop import from a chosen file', () => {
  let desktop: AppService;
  let chosen: string;
  beforeEach(async () => {
    chosen = join(dir, 'records.txt');
    // NDJSON lines that are also a CSV of one column: the extension says nothing, so the user may need to pick.
    writeFileSync(chosen, '{"key":"a","value":"1"}\n{"key":"b","value":"2"}\n');
    desktop = new AppService({
      mode: 'electron',
      version: 'test',
      dataDir: join(dir, 'desk'),
      recentFile: join(dir, 'desk-recent.json'),
      chooseImportFile: async () => chosen,
    });
    await desktop.start();
  });
  afterEach(() => desktop.shutdown());

  it('reads the preview of the chosen file again in the format the user picks', async () => {
    const first = await desktop['transfer.chooseImportFile']();
    assert.equal(first?.format, 'ndjson');
    assert.deepEqual(
      first?.records.map((r) => r.key),
      ['a', 'b'],
    );
    const asCsv = await desktop['transfer.previewFile']({ path: chosen, format: 'csv' });
    assert.equal(asCsv.format, 'csv');
    assert.equal(asCsv.formatFrom, 'option');
    assert.deepEqual(asCsv.records, []);
    assert.equal(asCsv.problems[0]?.line, 1);
    assert.match(asCsv.problems[0]?.message ?? '', /double quote inside an unquoted field/);
  });

  it('refuses to preview or import a path the user did not choose in the dialog', async () => {
    const other = join(dir, 'secret.ndjson');
    writeFileSync(other, '{"key":"x","value":"y"}\n');
    await assert.rejects(desktop['transfer.previewFile']({ path: other, format: 'ndjson' }), /was not chosen in the file dialog/);
    await desktop['collections.create']({ name: 'c' });
    await assert.rejects(
      desktop['transfer.importFile']({ collection: 'c', path: other, format: 'ndjson', onError: 'stop' }),
      /was not chosen in the file dialog/,
    );
  });
});

describe('app service: repair', () => {
  it('a collection whose open fails with CORRUPTION is repaired as a job that ends with the report, and then opens', async () => {
    await seed('broken', ['a', 'b', 'c']);
    await service['lsm.flush']({ collection: 'broken' });
    await service['keys.put']({ collection: 'broken', key: 'd', value: 'v:d' });
    await service['collections.close']({ name: 'broken' });
    const folder = join(dir, 'data', 'broken');
    const manifest = join(folder, readFileSync(join(folder, 'CURRENT'), 'utf8').trim());
    const bytes = readFileSync(manifest);
    bytes[20] ^= 0xff;
    writeFileSync(manifest, bytes);
    await assert.rejects(service['collections.open']({ name: 'broken' }), { code: 'CORRUPTION' });

    const started = await service['collections.repair']({ name: 'broken' });
    assert.equal(started.kind, 'repair');
    let done: JobProgress | undefined;
    for (let i = 0; i < 1000 && done === undefined; i++) {
      done = pushes.flatMap((p) => (p.kind === 'job' ? [p.job] : [])).find((j) => j.id === started.id && j.state !== 'running');
      if (done === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(done?.state, 'done', done?.message);
    const report = done!.repair!;
    assert.equal(report.collection, 'broken');
    assert.equal(report.previousManifest.state, 'damaged');
    assert.equal(report.manifest.entries, 4);
    assert.deepEqual(
      report.lostFiles.map((f) => f.file),
      [report.previousManifest.file],
    );
    assert.match(done!.message, /^repaired: 2 table\(s\), 4 entries, 1 file\(s\) moved to lost\/$/);
    await service['collections.open']({ name: 'broken' });
    assert.equal((await service['keys.get']({ collection: 'broken', key: 'd' }))?.value, 'v:d');
    // Repairing an open collection is refused, and says so.
    const refused = await service['collections.repair']({ name: 'broken' });
    for (let i = 0; i < 1000 && done?.id !== refused.id; i++) {
      done = pushes.flatMap((p) => (p.kind === 'job' ? [p.job] : [])).find((j) => j.id === refused.id && j.state !== 'running');
      if (done?.id !== refused.id) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(done?.state, 'failed');
    assert.match(done!.message, /is open; close it before repairing it/);
  });
});
