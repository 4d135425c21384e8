#!/usr/bin/env node
// Strata vs classic-level, side by side: runs each store in a child process
// of its own (run-store.mjs), in turn a tenth of a workload at a time
// (Strata's first tenth of fillseq, then classic-level's, then the second
// tenths, …), so they never compete for the 2 cores and a slow or fast spell
// of the machine lands on both sides of a ratio rather than on one store's
// whole run. Then prints one table and, with --json, writes the results.
// Usage: see USAGE below; run it after npm run build.
// --only is for working on a few workloads; the README's table is a full run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KEY_BYTES, selectWorkloads, VALUE_BYTES } from './workloads.mjs';

const USAGE = 'usage: node bench/bench.mjs [--num N] [--json FILE] [--only fillbatch,seekrandom,...]';

/** Bad arguments are the user's mistake, not the bench's: say which, with the usage, and start nothing. */
function usageError(message) {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: { num: { type: 'string', default: '1000000' }, json: { type: 'string' }, only: { type: 'string' } },
  }));
} catch (err) {
  usageError(err.message);
}
if (!/^[1-9][0-9]*$/.test(args.num)) usageError(`--num must be a positive integer, got ${JSON.stringify(args.num)}`);
let count;
try {
  count = selectWorkloads(args.only).length;
} catch (err) {
  usageError(err.message);
}
const runner = fileURLToPath(new URL('./run-store.mjs', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'strata-bench-'));

// Each runner leads a process group of its own (with Strata's compaction
// worker in it), so it can be frozen whole between its pieces: otherwise its
// background work (flushes, compactions; LevelDB's compaction thread) would
// catch up for free, untimed, while the other store runs its piece, which
// favours the store with the shorter pieces. Frozen, each store sees its
// workload as one continuous run. Signals are passed on to the groups, after
// a SIGCONT so a frozen group can act on them; `finally` below thaws them
// all, then removes the directories once nothing writes into them any more.
const children = [];
let interrupted = false;
const signalGroup = (child, sig) => {
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
};
const thaw = (child) => signalGroup(child, 'SIGCONT');
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted = true;
    for (const c of children) {
      thaw(c);
      signalGroup(c, sig);
    }
  });
}

/**
 * Starts one store's runner in step mode. `next()` runs the next piece of
 * its current workload and resolves with whether that was the workload's
 * last; `finish()` resolves with the runner's final summary once it has
 * exited.
 */
function startStore(store) {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      runner,
      '--store',
      store,
      '--num',
      args.num,
      '--dir',
      join(base, store),
      '--step',
      ...(args.only ? ['--only', args.only] : []),
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: true,
    },
  );
  children.push(child);
  const exited = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${store} runner failed (${signal ?? `exit code ${code}`})`)),
    );
  });
  exited.catch(() => {});
  // The runner's JSON lines; anything a compaction worker prints is passed over.
  const messages = (async function* () {
    for await (const line of createInterface({ input: child.stdout })) {
      try {
        yield JSON.parse(line);
      } catch {
        // not the runner's
      }
    }
  })();
  const read = async () => {
    const { value, done } = await messages.next();
    if (!done) return value;
    await exited;
    throw new Error(`${store} runner ended early`);
  };
  return {
    async next() {
      thaw(child);
      const { ready } = await read();
      if (ready === undefined) throw new Error(`${store} runner: expected a ready line`);
      child.stdin.write('go\n');
      const { result, piece } = await read();
      if (result === undefined && piece === undefined) throw new Error(`${store} runner: expected a piece or result line`);
      signalGroup(child, 'SIGSTOP');
      return { name: ready, last: result !== undefined };
    },
    async finish() {
      thaw(child);
      child.stdin.end();
      let last;
      for await (const m of messages) last = m;
      await exited;
      return last;
    },
  };
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
const ms = (x) => `${x.toFixed(1)} ms`;

try {
  console.error(`Strata vs classic-level: ${fmt(Number(args.num))} entries, ${KEY_BYTES}-byte keys, ${VALUE_BYTES}-byte values`);
  const stores = { strata: startStore('strata'), classic: startStore('classic') };
  // Piece by piece: Strata's first piece of fillseq, classic-level's, Strata's second, …
  for (let done = 0; done < count;) {
    const [a, b] = [await stores.strata.next(), await stores.classic.next()];
    if (a.name !== b.name || a.last !== b.last)
      throw new Error(`the runners are out of step: strata at ${a.name}, classic-level at ${b.name}`);
    if (a.last) done++;
  }
  const strata = await stores.strata.finish();
  const classic = await stores.classic.finish();
  const rows = strata.workloads.map((s, i) => {
    const c = classic.workloads[i];
    return { workload: s.name, ops: s.ops, strataOpsPerSec: s.opsPerSec, classicOpsPerSec: c.opsPerSec, ratio: s.opsPerSec / c.opsPerSec };
  });
  const w = (r, name) => r.workloads.find((x) => x.name === name) ?? {};
  const summary = {
    peakRssBytes: { strata: strata.peakRssBytes, strataCompactionWorker: strata.workerPeakRssBytes, classic: classic.peakRssBytes },
    strataWriteAmplification: {
      afterFillrandom: w(strata, 'fillrandom').writeAmplification,
      afterOverwrite: w(strata, 'overwrite').writeAmplification,
    },
    fillrandomEventLoopDelayMs: { strata: w(strata, 'fillrandom').eventLoopDelayMs, classic: w(classic, 'fillrandom').eventLoopDelayMs },
    diskBytesAfterFillrandom: { strata: w(strata, 'fillrandom').diskBytes, classic: w(classic, 'fillrandom').diskBytes },
  };
  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
    node: process.version,
  };

  const table = [['workload', 'ops', 'Strata ops/s', 'classic-level ops/s', 'ratio']];
  for (const r of rows) table.push([r.workload, fmt(r.ops), fmt(r.strataOpsPerSec), fmt(r.classicOpsPerSec), `${r.ratio.toFixed(2)}x`]);
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  console.log(
    '\n' + table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n'),
  );
  const { peakRssBytes: rss, strataWriteAmplification: wa, fillrandomEventLoopDelayMs: eld, diskBytesAfterFillrandom: disk } = summary;
  const lines = [
    `peak RSS                        Strata ${mib(rss.strata)} (compaction worker ${mib(rss.strataCompactionWorker)}), classic-level ${mib(rss.classic)}`,
  ];
  // With --only, the lines of workloads that did not run are left out.
  if (wa.afterFillrandom !== undefined && wa.afterOverwrite !== undefined)
    lines.push(
      `Strata write amplification      ${wa.afterFillrandom.toFixed(2)} after fillrandom, ${wa.afterOverwrite.toFixed(2)} after overwrite (compaction settled)`,
    );
  if (eld.strata && eld.classic)
    lines.push(
      `event-loop delay, fillrandom    Strata max ${ms(eld.strata.max)} p99 ${ms(eld.strata.p99)}; classic-level max ${ms(eld.classic.max)} p99 ${ms(eld.classic.p99)}`,
    );
  if (disk.strata && disk.classic)
    lines.push(
      `on disk after fillrandom        Strata ${mib(disk.strata)}, classic-level ${mib(disk.classic)} (${(disk.strata / disk.classic).toFixed(2)}x)`,
    );
  lines.push(
    `machine                         ${machine.cpu}, ${machine.cores} cores, ${mib(machine.memoryBytes)}, ${machine.os}, Node ${machine.node}`,
  );
  lines.push(`versions                        Strata ${strata.version}, classic-level ${classic.version}`);
  console.log('\n' + lines.join('\n'));

  if (args.json) {
    const out = {
      date: new Date().toISOString(),
      num: Number(args.num),
      keyBytes: KEY_BYTES,
      valueBytes: VALUE_BYTES,
      machine,
      rows,
      summary,
      strata,
      classic,
    };
    writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n');
    console.log(`\nresults written to ${args.json}`);
  }
} catch (err) {
  if (!interrupted) console.error(err);
  process.exitCode = interrupted ? 130 : 1;
} finally {
  for (const c of children) thaw(c);
  rmSync(base, { recursive: true, force: true, maxRetries: 5 });
}
