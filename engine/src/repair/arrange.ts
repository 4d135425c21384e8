/**
 * Where repair puts the tables it keeps, so that no read can ever find an
 * older version of a key before a newer one.
 *
 * A read looks through the levels top down and takes the first version it
 * finds; within L1 and below, tables never overlap. So for any two tables
 * whose key ranges overlap, the one that is newer for every key they share
 * must sit in a shallower level. When is one provably newer?
 *   - their sequence ranges do not interleave: every version in one is
 *     newer than every version in the other;
 *   - else, the old manifest's gap-free state had them in different levels
 *     (the LSM invariant held there, and tables never change);
 *   - else nothing says which is newer for which key: the two are merged
 *     (merge() below: runCompaction, newest sequence wins per key) into new
 *     tables whose ranges are then judged again.
 * "A before B" over overlapping tables is a graph; a cycle in it (possible
 * when different pairs are decided by different rules) is merged too. What
 * remains is acyclic: each table's depth is 1 + the largest depth of the
 * overlapping tables before it, tables of equal depth never overlap (one
 * would be before the other), and depth d goes to level
 * (levelCount - 1) - (maxDepth - d), so the oldest data sits at the bottom
 * and L0 is left to new flushes. More depths than levels: the tables of the
 * shallowest depths are merged into one run until they fit.
 *
 * Every merge turns two or more independent tables or runs into one run
 * (tables of one run never overlap, so never conflict), so this ends.
 */
import { compareKeys } from '../util/key-order.js';
import type { TableSummary } from '../version/table-summary.js';

/** A table to place: its manifest entry (level to be decided) and what is known of its past. */
export interface Candidate {
  meta: TableSummary;
  origin: 'kept' | 'salvaged' | 'wal' | 'merged';
  /** Its level in the old manifest's gap-free state, if it was there (or is salvaged from a table that was). */
  oldLevel: number | undefined;
}

/** Merges `group` into new candidates (a run of non-overlapping tables); `others` are every table outside it. */
export type MergeTables = (group: Candidate[], others: Candidate[]) => Promise<Candidate[]>;

export async function arrange(initial: Candidate[], levelCount: number, merge: MergeTables): Promise<Candidate[]> {
  let tables = initial;
  for (;;) {
    const pairs = overlappingPairs(tables);
    const conflicts: [number, number][] = [];
    const before: number[][] = tables.map(() => []);
    for (const [a, b] of pairs) {
      const p = precedence(tables[a], tables[b]);
      if (p === 'conflict') conflicts.push([a, b]);
      else if (p === 'first') before[b].push(a);
      else before[a].push(b);
    }
    let groups = groupsOf(tables.length, conflicts);
    if (groups.length === 0) groups = cyclesOf(before);
    if (groups.length === 0) {
      const depth = depthsOf(before);
      const deepest = Math.max(0, ...depth);
      const levels = levelCount - 1;
      if (deepest < levels) {
        return tables.map((t, i) => ({ ...t, meta: { ...t.meta, level: levels - (deepest - depth[i]) } }));
      }
      // The shallowest depths, two at least (each has a table before one of the next), become one run.
      groups = [depth.flatMap((d, i) => (d <= deepest - levels + 1 ? [i] : []))];
    }
    tables = await mergeGroups(tables, groups, merge);
  }
}

async function mergeGroups(tables: Candidate[], groups: number[][], merge: MergeTables): Promise<Candidate[]> {
  const merged = new Set(groups.flat());
  let next = tables.filter((_, i) => !merged.has(i));
  for (const group of groups) {
    const members = group.map((i) => tables[i]);
    const others = tables.filter((_, i) => !group.includes(i));
    next = [...next, ...(await merge(members, others))];
  }
  return next;
}

/** 'first' if a is provably newer than b for every key they share, 'second' if b is, else 'conflict'. */
export function precedence(a: Candidate, b: Candidate): 'first' | 'second' | 'conflict' {
  if (a.meta.minSequence > b.meta.maxSequence) return 'first';
  if (b.meta.minSequence > a.meta.maxSequence) return 'second';
  if (a.oldLevel !== undefined && b.oldLevel !== undefined && a.oldLevel !== b.oldLevel)
    return a.oldLevel < b.oldLevel ? 'first' : 'second';
  return 'conflict';
}

/** Index pairs of tables whose key ranges overlap (a sweep over tables sorted by smallest key). */
function overlappingPairs(tables: Candidate[]): [number, number][] {
  const order = tables.map((_, i) => i).sort((x, y) => compareKeys(tables[x].meta.minKey, tables[y].meta.minKey));
  const pairs: [number, number][] = [];
  for (let i = 0; i < order.length; i++) {
    const a = tables[order[i]].meta;
    for (let j = i + 1; j < order.length && compareKeys(tables[order[j]].meta.minKey, a.maxKey) <= 0; j++) pairs.push([order[i], order[j]]);
  }
  return pairs;
}

/** Connected groups (two or more tables) of the conflict pairs. */
function groupsOf(n: number, pairs: [number, number][]): number[][] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const [a, b] of pairs) parent[find(a)] = find(b);
  const byRoot = new Map<number, number[]>();
  for (const [a] of pairs) byRoot.set(find(a), []);
  for (let i = 0; i < n; i++) byRoot.get(find(i))?.push(i);
  return [...byRoot.values()];
}

/** Strongly connected components of two or more nodes in the graph i -> before[i] (Tarjan's, iterative). */
function cyclesOf(before: number[][]): number[][] {
  const n = before.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [node: number, edge: number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const top = work[work.length - 1];
      const [v, e] = top;
      if (e < before[v].length) {
        top[1]++;
        const w = before[v][e];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          component.push(w);
        } while (w !== v);
        if (component.length > 1) out.push(component);
      }
    }
  }
  return out;
}

/** Depth of each node in the acyclic graph i -> before[i]: 0 with nothing before it, else 1 + the deepest before it. */
function depthsOf(before: number[][]): number[] {
  const depth = new Array<number>(before.length).fill(-1);
  for (let start = 0; start < before.length; start++) {
    if (depth[start] !== -1) continue;
    const work = [start];
    while (work.length > 0) {
      const v = work[work.length - 1];
      const pending = before[v].filter((w) => depth[w] === -1);
      if (pending.length > 0) {
        work.push(...pending);
        continue;
      }
      work.pop();
      if (depth[v] === -1) depth[v] = before[v].length === 0 ? 0 : 1 + Math.max(...before[v].map((w) => depth[w]));
    }
  }
  return depth;
}
