import { StorageError } from '../errors.js';
import { compareKeys } from '../util/key-order.js';
import type { TableSummary } from '../version/table-summary.js';
import type { Version } from '../version/version.js';
import { type PickedCompaction, span } from './picker.js';

/**
 * Defense in depth, as Pebble checks every compaction's inputs: before a
 * compaction starts, its inputs must be what the current Version holds. Two
 * adjacent levels; each input table listed at its level, once; L0 inputs
 * newest first and deeper ones in key order without overlap; and no table
 * of either level left out that overlaps the inputs (an older L0 table left
 * behind would shadow the merged values, and an output level table left
 * behind would overlap the outputs). A pick that breaks this would lose or
 * resurrect data, so it is CORRUPTION, not a retry.
 */
export function checkInputs(picked: PickedCompaction, version: Version, directory: string): void {
  const problem = findProblem(picked, version);
  if (problem !== undefined) {
    throw new StorageError('CORRUPTION', `compaction inputs in ${directory} do not match the current version: ${problem}`);
  }
}

function findProblem(picked: PickedCompaction, version: Version): string | undefined {
  const { level, outputLevel, inputs } = picked;
  if (inputs.length !== 2 || inputs[0].level !== level || inputs[1].level !== outputLevel || outputLevel !== level + 1) {
    const from = inputs.map((i) => `L${i.level}`).join(' and ');
    return `a compaction from L${level} into L${outputLevel} with inputs from ${from}; expected L${level} into L${level + 1}, reading both`;
  }
  const all = inputs.flatMap((i) => i.files);
  if (inputs[0].files.length === 0) return `no input from L${level}`;
  const seen = new Set<number>();
  for (const input of inputs) {
    const listed = version.levels[input.level];
    const position = new Map(listed.map((f, i) => [f.id, i]));
    let last = -1;
    for (const [i, f] of input.files.entries()) {
      if (seen.has(f.id)) return `table ${f.id} is an input twice`;
      seen.add(f.id);
      const at = position.get(f.id) ?? -1;
      if (at < 0 || !sameTable(listed[at], f)) return `L${input.level} input table ${f.id} is not in L${input.level} as given`;
      // Both orders are the Version's own: L0 newest first, deeper levels by key.
      if (at < last) return `L${input.level} input table ${f.id} is out of order`;
      last = at;
      if (input.level > 0 && i > 0 && compareKeys(input.files[i - 1].maxKey, f.minKey) >= 0) {
        return `L${input.level} input tables ${input.files[i - 1].id} and ${f.id} overlap`;
      }
    }
  }
  if (level === 0) {
    const [lo, hi] = span(inputs[0].files);
    const left = version.levels[0].find((f) => !seen.has(f.id) && overlaps(f, lo, hi));
    if (left !== undefined) return `L0 table ${left.id} overlaps the L0 inputs but is not one of them`;
  }
  const [lo, hi] = span(all);
  const left = version.levels[outputLevel].find((f) => !seen.has(f.id) && overlaps(f, lo, hi));
  if (left !== undefined) return `L${outputLevel} table ${left.id} overlaps the inputs but is not one of them`;
  return undefined;
}

const overlaps = (f: TableSummary, lo: string, hi: string) => compareKeys(f.maxKey, lo) >= 0 && compareKeys(f.minKey, hi) <= 0;

function sameTable(a: TableSummary, b: TableSummary): boolean {
  return a.level === b.level && a.bytes === b.bytes && a.entries === b.entries && a.minKey === b.minKey && a.maxKey === b.maxKey;
}
