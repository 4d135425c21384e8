#!/usr/bin/env node
// `npm start`: builds what is missing or out of date, then launches the
// desktop app on its default data folder. Where Electron cannot start (its
// binary is not there and cannot be downloaded, or there is no display), it
// says why in one line and serves web mode on the same folder instead.
// `npm run web` (this script with --web) goes straight to web mode. Any
// other arguments (--data, --port, --root) are web mode's.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const webOnly = argv[0] === '--web';
const webArgs = webOnly ? argv.slice(1) : argv;

const OUTPUTS = ['out/main/index.js', 'out/main/web.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'engine/dist/index.js'];
const SOURCES = ['src', 'engine/src', 'electron.vite.config.ts', 'package.json', 'engine/package.json'];

/** The newest modification time under `path` (a file or a folder), skipping tests. */
function newest(path) {
  const full = join(root, path);
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    if (entry.name.endsWith('.test.ts')) continue;
    latest = Math.max(latest, newest(join(path, entry.name)));
  }
  return latest;
}

function buildIfNeeded() {
  const missing = OUTPUTS.filter((f) => !existsSync(join(root, f)));
  const built = missing.length === 0 ? Math.min(...OUTPUTS.map((f) => statSync(join(root, f)).mtimeMs)) : 0;
  const changed = missing.length === 0 && Math.max(...SOURCES.map(newest)) > built;
  if (missing.length === 0 && !changed) return;
  console.log(
    missing.length > 0 ? `strata: building (${missing[0]} is missing)…` : 'strata: building (sources changed since the last build)…',
  );
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}

/** The Electron binary's path, or why there is none (its package downloads it on first use). */
function electronBinary() {
  try {
    const out = execFileSync(process.execPath, ['-e', "process.stdout.write('\\n@@' + require('electron'))"], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const path = out.split('\n@@').at(-1);
    return path && existsSync(path) ? { path } : { why: 'the Electron binary is missing' };
  } catch (err) {
    const text = `${err.stdout ?? ''}\n${err.stderr ?? ''}`;
    const cause = /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|403|404/.exec(text)?.[0];
    return { why: `the Electron binary is not installed and could not be downloaded${cause ? ` (${cause})` : ''}` };
  }
}

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** Runs `command` in the foreground until it exits, passing termination signals on, then exits with its status. */
function runForeground(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

buildIfNeeded();
const webMode = () => runForeground(process.execPath, [join(root, 'out/main/web.js'), ...webArgs]);
if (webOnly) {
  webMode();
} else {
  const electron = hasDisplay() ? electronBinary() : { why: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  if (electron.path) {
    runForeground(electron.path, [root]);
  } else {
    console.log(`strata: the desktop app cannot start here: ${electron.why}; serving web mode instead.`);
    webMode();
  }
}
