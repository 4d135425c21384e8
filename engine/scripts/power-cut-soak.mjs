#!/usr/bin/env node
// Long-run power-cut check (not part of the test suite): runs the workload of
// src/testing/power-cut-run.ts for seeds seed, seed+1, … until --cuts crash
// images have been judged, and prints per seed and in total: cuts tried,
// states recovered, acknowledged sync writes lost, wrong values, holes, open
// failures. Exits 1 if any cut failed. See doc/power-loss.md.
//
// Usage: node scripts/power-cut-soak.mjs [--seed N] [--cuts N] [--steps N]
//          [--cut-rate R] [--nested-rate R] [--random-images N] [--no-compactions]
//          [--dump DIR]   (failing images written there as JSON, to replay)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

const USAGE =
  'usage: node scripts/power-cut-soak.mjs [--seed N] [--cuts N] [--steps N] [--cut-rate R] [--nested-rate R] [--random-images N] [--no-compactions] [--dump DIR]';

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      cuts: { type: 'string', default: '20000' },
      steps: { type: 'string', default: '600' },
      'cut-rate': { type: 'string', default: '0.05' },
      'nested-rate': { type: 'string', default: '0.2' },
      'random-images': { type: 'string', default: '2' },
      'no-compactions': { type: 'boolean', default: false },
      dump: { type: 'string' },
    },
  }));
} catch (err) {
  console.error(`power-cut-soak: ${err.message}\n${USAGE}`);
  process.exit(2);
}
const number = (name, integer) => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    console.error(
      `power-cut-soak: --${name} must be a non-negative ${integer ? 'integer' : 'number'}, got ${JSON.stringify(args[name])}\n${USAGE}`,
    );
    process.exit(2);
  }
  return v;
};
const firstSeed = number('seed', true);
const wanted = number('cuts', true);
const steps = number('steps', true);
const cutRate = number('cut-rate', false);
const nestedRate = number('nested-rate', false);
const randomImages = number('random-images', true);

register();
const { runPowerCuts } = await import('../src/testing/power-cut-run.ts');

const total = {
  runs: 0,
  cutsTried: 0,
  distinctStates: 0,
  statesRecovered: 0,
  lostSyncWrites: 0,
  wrongValues: 0,
  holes: 0,
  openFailures: 0,
  afterRecoveryFailures: 0,
};
let dumped = 0;
const started = Date.now();
for (let seed = firstSeed; total.cutsTried < wanted; seed++) {
  const r = await runPowerCuts({
    seed,
    steps,
    cutRate,
    randomImages,
    compactions: !args['no-compactions'],
    nestedRate,
    maxFailureDetails: 20,
  });
  total.runs++;
  for (const k of Object.keys(total)) if (k !== 'runs') total[k] += r[k];
  const bad = r.lostSyncWrites + r.wrongValues + r.holes + r.openFailures + r.afterRecoveryFailures;
  console.log(
    `seed ${seed}: ${r.cutsTried} cuts (${r.distinctStates} distinct), ${r.statesRecovered} recovered, ` +
      `${r.lostSyncWrites} acknowledged sync writes lost, ${r.wrongValues} wrong values, ${r.holes} holes, ${r.openFailures} open failures` +
      (r.afterRecoveryFailures ? `, ${r.afterRecoveryFailures} after-recovery failures` : '') +
      ` | ${r.coverage.writes} writes, ${r.coverage.flushes} flushes, ${r.coverage.compactions} compactions, ${r.coverage.gaps} gaps, ${r.coverage.tornWals} torn WALs | ${(r.elapsedMs / 1000).toFixed(1)} s`,
  );
  for (const f of r.failures.slice(0, bad > 0 ? 3 : 0)) console.log(`  cut before "${f.at}" (${f.policy}, depth ${f.depth}): ${f.problem}`);
  if (args.dump && r.failures.length > 0) {
    mkdirSync(args.dump, { recursive: true });
    for (const f of r.failures) {
      const image = { dirs: f.image.dirs, files: [...f.image.files].map(([p, x]) => [p, x.length, x.bytes.toString('base64')]) };
      writeFileSync(join(args.dump, `seed${seed}-${dumped++}.json`), JSON.stringify({ ...f, image }));
    }
  }
}
console.log(
  `\ntotal: ${total.runs} runs, ${total.cutsTried} cuts tried (${total.distinctStates} distinct states), ${total.statesRecovered} states recovered, ` +
    `${total.lostSyncWrites} acknowledged sync writes lost, ${total.wrongValues} wrong values, ${total.holes} holes, ${total.openFailures} open failures, ` +
    `${total.afterRecoveryFailures} after-recovery failures, ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(total.cutsTried === total.statesRecovered ? 0 : 1);
