/**
 * Runs abstract-level's own test suite, in full, against StrataLevel:
 *
 *   node --import tsx src/level/conformance.ts
 *
 * Every database gets a fresh directory under one temporary root, which is
 * removed when the suite ends. tape prints its TAP summary; the process exits
 * non-zero if any assertion failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import suite from 'abstract-level/test/index.js';
import test from 'tape';
import { StrataLevel, type StrataLevelOptions } from './strata-level.js';

const root = mkdtempSync(join(tmpdir(), 'strata-level-'));
const opened: StrataLevel[] = [];
let next = 0;

suite({
  test,
  factory(options?: StrataLevelOptions) {
    const db = new StrataLevel(join(root, `db${++next}`), options);
    opened.push(db);
    return db;
  },
});

// Registered last, so tape runs it after the whole suite. Sublevel tests close
// only the sublevel and leave its parent open. Close the engine collections
// directly: db.close() would fire events that earlier tests still listen to.
test('cleanup: close leftover collections and remove the temporary root', async (t) => {
  const results = await Promise.allSettled(opened.map((db) => db.strataCollection?.close() ?? Promise.resolve()));
  t.is(results.filter((r) => r.status === 'rejected').length, 0, 'every collection closed');
  rmSync(root, { recursive: true, force: true });
});

// tape sets a failing exit code itself when an assertion fails; make sure a
// crash outside any test also fails the run and leaves no directory behind.
process.on('exit', (code) => {
  if (code !== 0) rmSync(root, { recursive: true, force: true });
});
