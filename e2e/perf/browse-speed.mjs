#!/usr/bin/env node
// Speed of the key browser on a big collection (not a test: it prints
// numbers). Seeds N keys through the engine API, starts web mode on that
// folder, opens the app in Debian's Chromium and measures, in the page:
//   1. open: click on the closed collection in the sidebar → first grid row
//      visible and painted (target ≤ 150 ms); the collection is closed again
//      with the sidebar's Close button between runs. "switch" is the same
//      click on a collection that is already open, coming from another one.
//   2. jump: Enter in "Jump to key" → the target row visible with its key
//      text (target ≤ 100 ms), for a key deep in the collection and for a
//      missing key (which lands on the next one).
//   3. scrolling: fast wheel steps, held PageDown, End/Home: long tasks
//      (PerformanceObserver 'longtask') and requestAnimationFrame intervals.
//
//   npx electron-vite build && node e2e/perf/browse-speed.mjs [--count 1000000] [--runs 7] [--json out.json] [--trace /tmp/prefix]
//
// Each timed wait is also split along the app's WebSocket requests (sent →
// answered) so a miss says whether the server or the render took the time.
// --trace keeps a detailed Chrome trace of every measured phase there, for
// DevTools' Performance panel (tracing itself slows the page: timings taken
// with it are not the figures). The machine may be shared: the load average
// is printed, and scrolling's long tasks are also counted by their own CPU
// time, which time the OS gave to other processes does not inflate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageManager } from '@strata/engine';
import { arg, launchChromium, mainThreadTasks, startServer, stopServer } from './perf-kit.mjs';

const COUNT = Number(arg('count', '1000000'));
const RUNS = Number(arg('runs', '7'));
const JSON_OUT = arg('json', null);
const TRACE = arg('trace', null);
const SCROLL_MS = 5000;
// Fewer keys than a few pages and End/Home or scrolling never leave the first page.
if (!(COUNT >= 5000) || !(RUNS >= 1)) throw new Error('--count must be at least 5000 and --runs at least 1');
const BIG = 'big';
const OTHER = 'other';
const TARGET = { open: 150, jump: 100 };

const keyOf = (i) => `key-${String(i).padStart(10, '0')}`;
function valueOf(i) {
  const head = `{"id":${i},"name":"user ${i}","email":"user${i}@example.com","tags":["t${i % 7}"],"note":"`;
  return `${head}${'x'.repeat(Math.max(0, 98 - head.length))}"}`;
}
// Keys 1..COUNT; the jump targets scale with --count so small runs still work.
const FIRST = keyOf(1);
const LAST = keyOf(COUNT);
const DEEP = keyOf(Math.max(1, Math.round(COUNT * 0.777777)));
const MISSING = `${keyOf(Math.max(1, Math.round(COUNT * 0.555555)))}x`;
const MISSING_LANDS = keyOf(Math.min(COUNT, Math.max(1, Math.round(COUNT * 0.555555)) + 1));

const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
const quantile = (xs, q) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () => loadavg().map((x) => round(x, 2));

// On a shared checkout another build can land in engine/dist or out/ while
// this runs: the figures name the commit, uncommitted sources and build times
// they were taken with, and a build that changed mid-run is reported.
function provenance() {
  const changed = (path) => {
    try {
      execFileSync('git', ['diff-index', '--quiet', 'HEAD', '--', path], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  };
  const built = (path) => {
    try {
      return statSync(path).mtime.toISOString();
    } catch {
      return null;
    }
  };
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a git checkout: the report says so with a null commit.
  }
  return {
    commit,
    uncommitted: ['engine/src', 'src'].filter(changed),
    engineBuilt: built('engine/dist/index.js'),
    appBuilt: built('out/main/web.js'),
  };
}

async function seed(dir) {
  const t0 = performance.now();
  const manager = new StorageManager({ baseDataPath: dir });
  try {
    await manager.createCollection(BIG);
    const c = await manager.getCollection(BIG);
    for (let i = 1; i <= COUNT; i += 5000) {
      const ops = [];
      for (let j = i; j < Math.min(COUNT + 1, i + 5000); j++) ops.push({ type: 'put', key: keyOf(j), value: valueOf(j) });
      await c.batch(ops);
    }
    await c.flush();
    const stats = c.stats();
    await manager.createCollection(OTHER);
    const o = await manager.getCollection(OTHER);
    await o.batch(Array.from({ length: 1000 }, (_, i) => ({ type: 'put', key: `other-${String(i).padStart(4, '0')}`, value: valueOf(i) })));
    await o.flush();
    // The shape the server will open (tables per level) decides how much an open and a scan touch.
    return {
      seconds: round((performance.now() - t0) / 1000),
      levels: stats.levels.map((l) => ({ level: l.level, tables: l.fileCount, entries: l.entries })),
    };
  } finally {
    await manager.closeAll();
  }
}

/** Runs in the page before the app: everything the measurements read lives on window.__perf. */
function instrument() {
  const perf = (window.__perf = { longtasks: [], ws: [], input: {}, frames: null });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) perf.longtasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  // event.timeStamp is when the browser received the input, before any of the app's handlers ran.
  for (const type of ['click', 'keydown'])
    addEventListener(type, (e) => (perf.input[type === 'click' ? 'click' : e.key] = e.timeStamp), true);

  // The app's socket, wrapped: each call's send and answer times. Only the
  // reply's leading id is read, so a 500-row page is not parsed twice.
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (m) => {
        const id = /^\{"id":(\d+)/.exec(typeof m.data === 'string' ? m.data.slice(0, 24) : '');
        if (id) perf.ws.push({ id: Number(id[1]), dir: 'in', t: performance.now(), bytes: m.data.length });
      });
    }
    send(data) {
      const call = /^\{"id":(\d+),"op":"([^"]+)"/.exec(typeof data === 'string' ? data.slice(0, 80) : '');
      if (call) perf.ws.push({ id: Number(call[1]), op: call[2], dir: 'out', t: performance.now() });
      return super.send(data);
    }
  };

  /** The first row of the grid that is inside its scroll box, optionally a given key (checked against the cell's text too). */
  perf.visibleRow = (key, prefix) => {
    const scroller = document.querySelector('[data-testid=key-grid] .grid-scroll');
    if (!scroller) return null;
    const box = scroller.getBoundingClientRect();
    const rows = scroller.querySelectorAll(key ? `.grid-row[data-key="${CSS.escape(key)}"]` : '.grid-row[data-key]');
    for (const r of rows) {
      const b = r.getBoundingClientRect();
      if (b.height === 0 || b.bottom <= box.top || b.top >= box.bottom) continue;
      if (key && r.querySelector('.cell-key')?.textContent !== key) continue;
      if (prefix && !r.dataset.key.startsWith(prefix)) continue;
      return r.dataset.key;
    }
    return null;
  };

  // The commit that adds the row is noted by a MutationObserver without
  // forcing a layout there (that would shift the app's own work). Whether the
  // row is inside the scroll box is checked at the start of each frame, where
  // layout is due anyway; "painted" is a message posted from that rAF, which
  // runs once the frame's rendering is done.
  perf.arm = (key, prefix, timeoutMs = 15000) => {
    const selector = key
      ? `.grid-row[data-key="${CSS.escape(key)}"]`
      : prefix
        ? `.grid-row[data-key^="${CSS.escape(prefix)}"]`
        : '.grid-row[data-key]';
    // Already on screen before the action: the run would time nothing.
    if (perf.visibleRow(key, prefix)) throw new Error(`row ${key ?? prefix ?? ''} is visible before the action`);
    perf.pending = new Promise((resolve, reject) => {
      let done = false;
      let domAt = null;
      const observer = new MutationObserver(() => {
        if (domAt === null && document.querySelector(`[data-testid=key-grid] ${selector}`)) domAt = performance.now();
      });
      observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-key'] });
      const finish = () => {
        done = true;
        observer.disconnect();
        clearTimeout(timer);
      };
      const frame = () => {
        if (done) return;
        const hit = perf.visibleRow(key, prefix);
        if (!hit) return void requestAnimationFrame(frame);
        finish();
        const seenAt = performance.now();
        const ch = new MessageChannel();
        ch.port1.onmessage = () => resolve({ hit, domAt: domAt ?? seenAt, seenAt, paintedAt: performance.now() });
        ch.port2.postMessage(0);
      };
      requestAnimationFrame(frame);
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no visible row${key ? ` ${key}` : ''} in ${timeoutMs} ms`));
      }, timeoutMs);
    });
  };

  perf.startFrames = () => {
    const f = (perf.frames = { on: true, t: [] });
    const tick = (t) => {
      if (!f.on) return;
      f.t.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  perf.stopFrames = () => {
    perf.frames.on = false;
    return perf.frames.t;
  };
}

/** The socket calls made between two page times, with their round trips, in order sent. */
function callsBetween(ws, from, to) {
  const answers = new Map(ws.filter((w) => w.dir === 'in').map((w) => [w.id, w]));
  return ws
    .filter((w) => w.dir === 'out' && w.t >= from && w.t <= to)
    .map((w) => {
      const a = answers.get(w.id);
      return {
        op: w.op,
        sentMs: round(w.t - from),
        answeredMs: a ? round(a.t - from) : null,
        rttMs: a ? round(a.t - w.t) : null,
        kb: a ? round(a.bytes / 1024) : null,
      };
    });
}

/** Arms the row check, performs the action, returns the action → painted timing with its socket calls. */
async function timed(page, { key = null, prefix = null, inputKey }, act) {
  await page.evaluate(
    ([k, p]) => {
      window.__perf.input = {};
      window.__perf.arm(k, p);
    },
    [key, prefix],
  );
  await act();
  const r = await page.evaluate(() => window.__perf.pending);
  const { input, ws } = await page.evaluate(() => ({ input: window.__perf.input, ws: window.__perf.ws }));
  const start = input[inputKey];
  if (start === undefined) throw new Error(`the page saw no ${inputKey} event`);
  return {
    ms: round(r.paintedAt - start),
    domMs: round(r.domAt - start),
    frameMs: round(r.seenAt - start),
    row: r.hit,
    calls: callsBetween(ws, start, r.paintedAt),
  };
}

const sidebarItem = (page, name) => page.locator(`[data-testid=collection-item][data-name=${name}]`);

async function closeBig(page) {
  await page.getByRole('button', { name: `Close ${BIG}`, exact: true }).click();
  await sidebarItem(page, BIG).locator('.open-dot:not(.is-open)').waitFor();
  await page.locator('.empty-workspace').waitFor();
}

async function measureOpen(page) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    await page.waitForTimeout(300);
    runs.push(await timed(page, { key: FIRST, inputKey: 'click' }, () => sidebarItem(page, BIG).locator('.collection-open').click()));
    // The sidebar learns that it is open from a list refresh that may answer after the rows are painted.
    await sidebarItem(page, BIG).locator('.open-dot.is-open').waitFor();
    await closeBig(page);
  }
  return runs;
}

async function measureSwitch(page) {
  await sidebarItem(page, BIG).locator('.collection-open').click();
  await page.waitForFunction((k) => window.__perf.visibleRow(k), FIRST);
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    await sidebarItem(page, OTHER).locator('.collection-open').click();
    await page.waitForFunction(() => window.__perf.visibleRow(null, 'other-'));
    await page.waitForTimeout(300);
    runs.push(await timed(page, { key: FIRST, inputKey: 'click' }, () => sidebarItem(page, BIG).locator('.collection-open').click()));
  }
  return runs;
}

async function jumpTo(page, key, lands, measure) {
  const input = page.getByLabel('Jump to key');
  await input.fill(key);
  await input.focus();
  if (!measure) {
    await input.press('Enter');
    return page.waitForFunction((k) => window.__perf.visibleRow(k), lands);
  }
  return timed(page, { key: lands, inputKey: 'Enter' }, () => input.press('Enter'));
}

async function measureJump(page, key, lands) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    // Start from the top each time: jumping to where the view already is would find the old row.
    await jumpTo(page, FIRST, FIRST, false);
    await page.waitForTimeout(300);
    runs.push(await jumpTo(page, key, lands, true));
  }
  return runs;
}

/** The renderer's main-thread tasks in a 'toplevel' trace, with wall and CPU (thread) time. */
/** Runs a scrolling phase with long tasks, frames and a trace recorded, and reduces them to the figures. */
async function scrollPhase(page, browser, name, drive) {
  await page.evaluate(() => {
    window.__perf.longtasks = [];
    window.__perf.ws = [];
  });
  const categories = TRACE
    ? ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing']
    : ['toplevel'];
  await browser.startTracing(page, { categories, ...(TRACE ? { path: `${TRACE}-scroll-${name}.json` } : {}) });
  await page.evaluate(() => window.__perf.startFrames());
  const load0 = load();
  const t0 = Date.now();
  const extra = await drive();
  const wallMs = Date.now() - t0;
  const frames = await page.evaluate(() => window.__perf.stopFrames());
  const tasks = mainThreadTasks(JSON.parse((await browser.stopTracing()).toString()));
  const { longtasks, ws } = await page.evaluate(() => ({ longtasks: window.__perf.longtasks, ws: window.__perf.ws }));
  const gaps = frames.slice(1).map((t, i) => t - frames[i]);
  return {
    phase: name,
    seconds: round(wallMs / 1000),
    ...extra,
    pagesLoaded: ws.filter((w) => w.dir === 'out' && w.op === 'keys.page').length,
    longTasks: {
      count: longtasks.length,
      maxMs: round(Math.max(0, ...longtasks.map((t) => t.ms))),
      totalMs: round(longtasks.reduce((s, t) => s + t.ms, 0)),
    },
    tasksByCpu: {
      over50ms: tasks.filter((t) => t.cpuMs > 50).length,
      maxCpuMs: round(Math.max(0, ...tasks.map((t) => t.cpuMs))),
      maxWallMs: round(Math.max(0, ...tasks.map((t) => t.wallMs))),
    },
    frames: {
      count: frames.length,
      p50Ms: round(quantile(gaps, 0.5)),
      p99Ms: round(quantile(gaps, 0.99)),
      maxMs: round(Math.max(0, ...gaps)),
      over50ms: gaps.filter((g) => g > 50).length,
    },
    loadAverage: [load0[0], load()[0]],
  };
}

/** Repeats `step`, each awaited, for one scrolling phase's time; returns how many ran. */
async function repeatForScrollTime(step) {
  let steps = 0;
  const end = Date.now() + SCROLL_MS;
  while (Date.now() < end) {
    await step();
    steps++;
  }
  return steps;
}

async function measureScroll(page, browser) {
  const grid = page.getByTestId('key-grid');
  const scroller = grid.locator('.grid-scroll');
  const lastVisible = () =>
    page.evaluate(() => [...document.querySelectorAll('[data-testid=key-grid] .grid-row[data-key]')].at(-1)?.dataset.key ?? null);
  const results = [];

  await jumpTo(page, FIRST, FIRST, false);
  await scroller.hover();
  results.push(
    await scrollPhase(page, browser, 'wheel', async () => {
      // Wheel events as fast as the renderer acknowledges them, 2000 px (~70 rows) each: past what is loaded within a second.
      const steps = await repeatForScrollTime(() => page.mouse.wheel(0, 2000));
      return { steps, reached: await lastVisible() };
    }),
  );

  await jumpTo(page, FIRST, FIRST, false);
  await grid.locator('.grid-row[data-key]').first().click();
  results.push(
    await scrollPhase(page, browser, 'pagedown', async () => {
      const steps = await repeatForScrollTime(() => page.keyboard.press('PageDown'));
      return { steps, reached: await lastVisible() };
    }),
  );

  await jumpTo(page, FIRST, FIRST, false);
  await grid.locator('.grid-row[data-key]').first().click();
  results.push(
    await scrollPhase(page, browser, 'end-home', async () => {
      // Each press waits for its landing row: the landing times are the figure (End reads a reverse page, Home a forward one).
      const landMs = { End: [], Home: [] };
      const end = Date.now() + SCROLL_MS;
      while (Date.now() < end) {
        for (const [key, lands] of [
          ['End', LAST],
          ['Home', FIRST],
        ]) {
          const r = await timed(page, { key: lands, inputKey: key }, () => page.keyboard.press(key));
          landMs[key].push(r.ms);
        }
      }
      return { steps: landMs.End.length + landMs.Home.length, landMs };
    }),
  );
  return results;
}

// --- reporting ------------------------------------------------------------

/** Median times of each socket call after the action, across runs (the n-th call of an op is matched with the n-th of other runs). */
function breakdown(runs) {
  const ops = new Map();
  for (const r of runs) {
    const seen = new Map();
    for (const c of r.calls) {
      seen.set(c.op, (seen.get(c.op) ?? 0) + 1);
      const k = seen.get(c.op) > 1 ? `${c.op} #${seen.get(c.op)}` : c.op;
      if (!ops.has(k)) ops.set(k, { sent: [], answered: [], rtt: [], n: 0 });
      const o = ops.get(k);
      o.n++;
      o.sent.push(c.sentMs);
      if (c.answeredMs !== null) o.answered.push(c.answeredMs);
      if (c.rttMs !== null) o.rtt.push(c.rttMs);
    }
  }
  return [...ops].map(([op, o]) => ({
    op,
    runs: o.n,
    sentMs: round(median(o.sent)),
    answeredMs: round(median(o.answered)),
    rttMs: round(median(o.rtt)),
  }));
}

function summarizeTimed(name, runs, target) {
  const ms = runs.map((r) => r.ms);
  return {
    name,
    target,
    runsMs: ms,
    medianMs: round(median(ms)),
    domMedianMs: round(median(runs.map((r) => r.domMs))),
    frameMedianMs: round(median(runs.map((r) => r.frameMs))),
    row: runs[0]?.row,
    breakdown: breakdown(runs),
  };
}

function printReport(report) {
  const pad = (s, n) => String(s ?? '–').padEnd(n);
  const lines = [];
  lines.push('');
  lines.push(
    `Strata key browser, ${COUNT.toLocaleString('en-US')} keys (${report.seed.seconds} s to seed; tables per level ${report.seed.levels.map((l) => `L${l.level}:${l.tables}`).join(' ')})`,
  );
  lines.push(
    `load average ${report.loadAverage.start.join(' / ')} at start, ${report.loadAverage.end.join(' / ')} at end (${report.cpus} CPUs)`,
  );
  const b = report.build;
  lines.push(
    `commit ${b.commit}${b.uncommitted.length ? ` with uncommitted changes in ${b.uncommitted.join(', ')}` : ''}; engine/dist built ${b.engineBuilt}, out/ built ${b.appBuilt}`,
  );
  if (b.changedDuringRun.length)
    lines.push(
      `WARNING: changed during this run: ${b.changedDuringRun.join(', ')} (seeding, server and page may not have run the same code)`,
    );
  lines.push('');
  lines.push(`${pad('measure', 42)}${pad('target', 9)}${pad('median', 9)}${pad('verdict', 9)}runs (ms, action → painted)`);
  for (const t of report.timed) {
    const verdict = t.target === null ? '' : t.medianMs <= t.target ? 'ok' : 'MISSED';
    lines.push(
      `${pad(t.name, 42)}${pad(t.target === null ? '' : `≤ ${t.target}`, 9)}${pad(t.medianMs, 9)}${pad(verdict, 9)}${t.runsMs.join('  ')}`,
    );
  }
  lines.push('');
  lines.push("where the time went (medians, ms after the action; rtt = the request's round trip as the page saw it):");
  for (const t of report.timed) {
    lines.push(`  ${t.name}: row in DOM at ${t.domMedianMs}, visible at frame start ${t.frameMedianMs}, painted at ${t.medianMs}`);
    for (const b of t.breakdown)
      lines.push(
        `    ${pad(b.op, 20)} in ${pad(`${b.runs}/${t.runsMs.length}`, 5)} runs sent ${pad(b.sentMs, 7)} answered ${pad(b.answeredMs, 7)} rtt ${b.rttMs}`,
      );
  }
  lines.push('');
  lines.push(
    `${pad('scrolling', 12)}${pad('secs', 6)}${pad('steps', 7)}${pad('pages', 7)}${pad('longtasks', 11)}${pad('max lt', 8)}${pad('cpu>50', 8)}${pad('max cpu', 9)}${pad('frames', 8)}${pad('p50', 7)}${pad('p99', 7)}${pad('max', 7)}${pad('>50ms', 7)}reached`,
  );
  for (const s of report.scroll) {
    lines.push(
      `${pad(s.phase, 12)}${pad(s.seconds, 6)}${pad(s.steps, 7)}${pad(s.pagesLoaded, 7)}${pad(s.longTasks.count, 11)}${pad(s.longTasks.maxMs, 8)}${pad(s.tasksByCpu.over50ms, 8)}${pad(s.tasksByCpu.maxCpuMs, 9)}${pad(s.frames.count, 8)}${pad(s.frames.p50Ms, 7)}${pad(s.frames.p99Ms, 7)}${pad(s.frames.maxMs, 7)}${pad(s.frames.over50ms, 7)}${s.reached ?? ''}`,
    );
  }
  const eh = report.scroll.find((s) => s.phase === 'end-home');
  if (eh)
    lines.push(
      `  End → last row painted: ${eh.landMs.End.join(' ')} ms (median ${round(median(eh.landMs.End))}); Home → first row: ${eh.landMs.Home.join(' ')} ms (median ${round(median(eh.landMs.Home))})`,
    );
  lines.push(
    '  (longtasks: PerformanceObserver entries, all > 50 ms wall; cpu>50: main-thread tasks over 50 ms of their own CPU time in a trace;',
  );
  lines.push('   frames: requestAnimationFrame intervals in ms)');
  console.log(lines.join('\n'));
}

// --- main -----------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'strata-browse-speed-'));
let server = null;
let browser = null;
let interrupted = false;
// Ctrl-C must not leave a server or a multi-hundred-MB folder behind.
const onSignal = () => {
  interrupted = true;
  server?.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  const loadStart = load();
  const buildStart = provenance();
  console.error(`seeding ${COUNT.toLocaleString('en-US')} keys in ${dir} …`);
  const seeded = await seed(dir);
  console.error(`seeded in ${seeded.seconds} s; starting web mode and Chromium …`);
  server = await startServer(dir);
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.addInitScript(instrument);
  await page.goto(server.url.href);
  await page.getByTestId('app-ready').waitFor({ state: 'attached' });
  await sidebarItem(page, BIG).waitFor();

  const trace = async (name, fn) => {
    if (!TRACE) return fn();
    await browser.startTracing(page, {
      path: `${TRACE}-${name}.json`,
      categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing'],
    });
    try {
      return await fn();
    } finally {
      await browser.stopTracing();
    }
  };
  console.error('measuring open …');
  const open = await trace('open', () => measureOpen(page));
  console.error('measuring switch …');
  const sw = await trace('switch', () => measureSwitch(page));
  console.error('measuring jump …');
  const jumpDeep = await trace('jump-present', () => measureJump(page, DEEP, DEEP));
  const jumpMissing = await trace('jump-missing', () => measureJump(page, MISSING, MISSING_LANDS));
  console.error('measuring scrolling …');
  const scroll = await measureScroll(page, browser);

  const report = {
    count: COUNT,
    runs: RUNS,
    cpus: cpus().length,
    seed: seeded,
    build: {
      ...buildStart,
      changedDuringRun: Object.entries(provenance())
        .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(buildStart[k]))
        .map(([k, v]) => `${k} → ${v}`),
    },
    loadAverage: { start: loadStart, end: load() },
    timed: [
      summarizeTimed('open closed collection → first rows', open, TARGET.open),
      summarizeTimed('switch back to open collection → rows', sw, null),
      summarizeTimed(`jump to ${DEEP} (present)`, jumpDeep, TARGET.jump),
      summarizeTimed(`jump to ${MISSING} (→ ${MISSING_LANDS})`, jumpMissing, TARGET.jump),
    ],
    scroll,
    raw: { open, switch: sw, jumpDeep, jumpMissing },
  };
  printReport(report);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(report, null, 2));
} finally {
  if (!interrupted) {
    await browser?.close().catch(() => {});
    await stopServer(server?.child);
    rmSync(dir, { recursive: true, force: true });
  }
}
