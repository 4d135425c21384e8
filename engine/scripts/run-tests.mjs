#!/usr/bin/env node
// Runs the engine's tests: every src/**/*.test.ts under node's test runner
// (TypeScript through tsx), then abstract-level's own conformance suite
// against StrataLevel. Exits non-zero if either fails.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return findTests(p);
    return e.name.endsWith('.test.ts') ? [relative(root, p)] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests(join(root, 'src')).sort();
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

let status = run(['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files]);
if (only.length === 0) {
  console.log('\n# abstract-level conformance suite (tape) against StrataLevel');
  status = run(['--import', 'tsx', 'src/level/conformance.ts']) || status;
}
process.exit(status);
