// What the perf scripts share: their flags, the web-mode server they measure,
// the Chromium they drive, and reading main-thread tasks out of a trace.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

/** `--name value` from the command line, or `dflt`. */
export const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};

/** Starts the built web mode (or `script`, another build of it) on `dir` and resolves with the process and the tokened URL it printed. */
export async function startServer(dir, script = 'out/main/web.js') {
  // STRATA_PERF_NODE_ARGS: extra flags for the server's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = process.env.STRATA_PERF_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, script, '--data', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, '.config') },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error(`no URL in 20 s:\n${out}`));
    }, 20_000);
    const poll = setInterval(() => {
      const m = /Open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearInterval(poll);
        clearTimeout(t);
        resolve(m[1]);
      }
    }, 25);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(t);
      reject(new Error(`web mode exited with code ${code}:\n${out}`));
    });
  });
  return { child, url: new URL(url), output: () => out };
}

/** Stops web mode (SIGTERM, SIGKILL after 5 s) and waits for it to exit. */
export async function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Debian's Chromium (or STRATA_CHROMIUM), headless, quiet in the background. */
export const launchChromium = () =>
  chromium.launch({
    executablePath: process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

/** The renderer main thread's tasks in a Chrome trace, with their wall and own CPU time. */
export function mainThreadTasks(trace) {
  const events = trace.traceEvents ?? trace;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return [];
  const mine = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
  // Chromium nests RunTask inside ThreadControllerImpl::RunTask; counting both would count each task twice.
  const name = mine.some((e) => e.name === 'ThreadControllerImpl::RunTask') ? 'ThreadControllerImpl::RunTask' : 'RunTask';
  return mine.filter((e) => e.name === name).map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
}
