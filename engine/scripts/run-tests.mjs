#!/usr/bin/env node
// Runs the engine's tests: every src/**/*.test.ts under node's test runner
// (TypeScript through tsx), then abstract-level's own conformance suite
// against StrataLevel. Output streams through; a last line sums both runs
// ("N passed, N failed"), and the exit status is non-zero if either failed.
import { spawn } from 'node:child_process';
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

// Every Version the tests make is checked in full before it is logged (see version-set.ts).
const env = { ...process.env, STRATA_CHECK_INVARIANTS: '1' };

/** Runs node with `args`, echoing its output, and returns its exit status and output. */
function run(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk;
    });
    child.on('close', (code) => resolve({ status: code ?? 1, out }));
  });
}

const count = (out, re) => Number(re.exec(out)?.[1] ?? 0);
const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests(join(root, 'src')).sort();
let passed = 0;
let failed = 0;

const unit = await run(['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files]);
passed += count(unit.out, /ℹ pass (\d+)/);
failed += count(unit.out, /ℹ fail (\d+)/) + (unit.status !== 0 && !/ℹ fail [1-9]/.test(unit.out) ? 1 : 0);
let status = unit.status;

if (only.length === 0) {
  console.log('\n# abstract-level conformance suite (tape) against StrataLevel');
  const suite = await run(['--import', 'tsx', 'src/level/conformance.ts']);
  passed += count(suite.out, /# pass +(\d+)/);
  failed += count(suite.out, /# fail +(\d+)/) + (suite.status !== 0 && !/# fail +[1-9]/.test(suite.out) ? 1 : 0);
  status ||= suite.status;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(status);
