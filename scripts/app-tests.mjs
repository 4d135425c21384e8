#!/usr/bin/env node
// Runs the app's unit tests (src/**/*.test.ts: the IPC contract's
// validation, the web server's access rules, the app service) under node's
// test runner, TypeScript through tsx. Pass files to run only those.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const find = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.ts') ? [relative(root, p)] : [];
  });
const files = process.argv.length > 2 ? process.argv.slice(2) : find(join(root, 'src')).sort();
const { status } = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(status ?? 1);
