#!/usr/bin/env node
// Smoothness of the Levels view during a big write load (not a test: it
// prints numbers). Starts web mode on a fresh folder, opens the app in
// Debian's Chromium, runs the workload generator for N keys as fast as the
// engine takes them, and records in the renderer:
//   - long tasks (PerformanceObserver 'longtask', > 50 ms each)
//   - CPU: CDP Performance.getMetrics TaskDuration / ScriptDuration /
//     LayoutDuration / RecalcStyleDuration over the wall time of the run
// once with the Levels tab visible and once with the Keys tab visible (the
// difference is what drawing the tree costs).
//
//   npx electron-vite build && node e2e/perf/levels-smoothness.mjs [--count 1000000] [--rate 0] [--only levels|keys]
//
// A 'toplevel' trace of the run also reports each main-thread task's own
// CPU time: on a shared machine wall-clock long tasks include time the OS
// gave to other processes (see loadAverage in the output).
// Diagnostics: TRACE_DETAIL=/tmp/x keeps a detailed trace, JS_PROFILE=/tmp/x
// a .cpuprofile, EXTRA_CSS='…' injects CSS (e.g. to hide a part of the view).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageManager } from '@strata/engine';
import WebSocket from 'ws';
import { arg, launchChromium, mainThreadTasks, startServer, stopServer } from './perf-kit.mjs';

const COUNT = Number(arg('count', '1000000'));
const RATE = Number(arg('rate', '0'));
const ONLY = arg('only', null);
const NAME = 'load';

function wsClient(url) {
  const ws = new WebSocket(`ws://${url.host}/ws?token=${encodeURIComponent(url.searchParams.get('token'))}`, {
    headers: { Origin: url.origin },
  });
  let next = 1;
  const pending = new Map();
  const jobListeners = new Set();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.push) {
      if (m.push.kind === 'job') for (const l of jobListeners) l(m.push.job);
      return;
    }
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  return {
    ready: new Promise((r, j) => (ws.once('open', r), ws.once('error', j))),
    call: (op, args) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error.message))));
        ws.send(JSON.stringify({ id, op, args }));
      }),
    onJob: (l) => jobListeners.add(l),
    close: () => ws.close(),
  };
}

/** RunTask events of the renderer's main thread, with wall and thread (CPU) time. */
async function run(tab) {
  const dir = mkdtempSync(join(tmpdir(), 'strata-perf-'));
  const manager = new StorageManager({ baseDataPath: dir });
  await manager.createCollection(NAME);
  await manager.closeAll();
  const server = await startServer(dir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    await page.addInitScript(() => {
      window.__longtasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longtasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(server.url.href);
    await page.getByTestId('app-ready').waitFor({ state: 'attached' });
    await page.locator(`[data-testid=collection-item][data-name=${NAME}] .collection-open`).click();
    if (tab === 'levels') {
      await page.getByRole('tab', { name: 'Levels' }).click();
      await page.getByTestId('levels-view').waitFor();
    } else {
      await page.getByRole('tab', { name: 'Keys' }).click();
    }
    if (process.env.EXTRA_CSS) await page.addStyleTag({ content: process.env.EXTRA_CSS }); // experiments: hide parts of the view
    await page.waitForTimeout(1500);
    await page.evaluate(() => (window.__longtasks = []));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

    const client = wsClient(server.url);
    await client.ready;
    const before = await metrics();
    const t0 = performance.now();
    const job = await client.call('jobs.workload', {
      collection: NAME,
      count: COUNT,
      rate: RATE,
      pattern: 'random',
      valueBytes: 100,
      keyPrefix: 'key:',
    });
    // The machine may be shared: a task's wall time includes time the OS gave to other processes.
    // A 'toplevel' trace of the whole run gives each task's own CPU time as well.
    const detail = process.env.TRACE_DETAIL; // a path prefix: also keep a detailed trace there
    await browser.startTracing(page, {
      categories: detail ? ['toplevel', 'devtools.timeline', 'v8', 'blink.user_timing'] : ['toplevel'],
      ...(detail ? { path: `${detail}-${tab}.json` } : {}),
    });
    const load0 = loadavg()[0];
    if (process.env.JS_PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    let firstProgressMs = null;
    const final = await new Promise((resolve) =>
      client.onJob((j) => {
        if (j.id !== job.id) return;
        if (firstProgressMs === null && j.done > 0) firstProgressMs = performance.now() - t0;
        if (j.state !== 'running') resolve(j);
      }),
    );
    const load1 = loadavg()[0];
    if (process.env.JS_PROFILE) {
      const { profile } = await cdp.send('Profiler.stop');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${process.env.JS_PROFILE}-${tab}.cpuprofile`, JSON.stringify(profile));
    }
    const trace = JSON.parse((await browser.stopTracing()).toString());
    const tasks = mainThreadTasks(trace);
    const wallMs = performance.now() - t0;
    const after = await metrics();
    const longtasks = await page.evaluate(() => window.__longtasks);
    let drawn = null;
    if (tab === 'levels') drawn = await page.locator('.lv-tables [data-file]').count();
    await page.screenshot({ path: `e2e/artifacts/screenshots/perf-${tab}-end.png` });
    client.close();
    const d = (k) => (after[k] ?? 0) - (before[k] ?? 0);
    const pct = (s) => Math.round(((s * 1000) / wallMs) * 1000) / 10;
    return {
      tab,
      job: final.message,
      wallSeconds: Math.round(wallMs / 100) / 10,
      firstProgressAfterSeconds: firstProgressMs === null ? null : Math.round(firstProgressMs / 100) / 10,
      rendererCpuPercentOfOneCore: {
        task: pct(d('TaskDuration')),
        script: pct(d('ScriptDuration')),
        layout: pct(d('LayoutDuration')),
        style: pct(d('RecalcStyleDuration')),
      },
      loadAverage: [Math.round(load0 * 10) / 10, Math.round(load1 * 10) / 10],
      mainThreadTasks: {
        count: tasks.length,
        cpuOver50ms: tasks.filter((t) => t.cpuMs > 50).length,
        maxCpuMs: Math.round(Math.max(0, ...tasks.map((t) => t.cpuMs)) * 10) / 10,
        wallOver50ms: tasks.filter((t) => t.wallMs > 50).length,
        maxWallMs: Math.round(Math.max(0, ...tasks.map((t) => t.wallMs))),
      },
      longTasks: {
        count: longtasks.length,
        over50ms: longtasks.filter((t) => t.ms > 50).length,
        maxMs: Math.max(0, ...longtasks.map((t) => t.ms)),
        list: longtasks.slice(0, 10),
      },
      tablesDrawnAtEnd: drawn,
    };
  } finally {
    await browser.close();
    await stopServer(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const tab of ['levels', 'keys']) if (!ONLY || ONLY === tab) results.push(await run(tab));
console.log(JSON.stringify({ count: COUNT, rate: RATE, results }, null, 2));
