/**
 * Cut policies for PowerCutFileSystem.crashImage: which of the unsynced
 * operations the model allows (see power-cut-disk.ts) reach the disk. The
 * two extremes, and random subsets for model tests.
 */
import { type CutPolicy, PAGE_BYTES } from './power-cut-disk.js';

/** Nothing unsynced survives: the disk holds exactly what was fsynced. */
export const DROP_UNSYNCED: CutPolicy = {
  name: 'drop-unsynced',
  keepDirOp: () => false,
  cutFile: (f) => ({ truncated: false, length: f.durableLength, keepPage: () => false }),
};

/** Everything written reached the disk (what a process crash leaves, or a cut right after the kernel wrote back). */
export const KEEP_EVERYTHING: CutPolicy = {
  name: 'keep-everything',
  keepDirOp: () => true,
  cutFile: (f) => ({ truncated: f.lowestLength < f.durableLength, length: f.currentLength, keepPage: () => true }),
};

/**
 * A random allowed subset: a probability of keeping directory operations
 * drawn per image, and per file a random cut (at a boundary or any byte) and
 * pages kept all, none, as a prefix or one by one.
 */
export function randomCut(rand: () => number, name = 'random'): CutPolicy {
  const keepDir = [0.2, 0.5, 0.8][Math.floor(rand() * 3)];
  return {
    name,
    keepDirOp: () => rand() < keepDir,
    cutFile(f) {
      const truncated = f.lowestLength < f.durableLength && rand() < 0.5;
      const min = truncated ? f.lowestLength : f.durableLength;
      const max = truncated ? f.currentLength : Math.max(f.durableLength, f.currentLength);
      const r = rand();
      let length: number;
      if (r < 0.2 || max === min) length = min;
      else if (r < 0.4) length = max;
      else if (r < 0.6)
        length = Math.min(max, Math.max(min, Math.ceil((min + Math.floor(rand() * (max - min + 1))) / PAGE_BYTES) * PAGE_BYTES));
      else length = min + Math.floor(rand() * (max - min + 1));
      const mode = rand();
      const prefixEnd = f.firstPage + Math.floor(rand() * (f.endPage - f.firstPage + 1));
      const coins = new Map<number, boolean>();
      const keepPage =
        mode < 0.25
          ? () => true
          : mode < 0.5
            ? () => false
            : mode < 0.75
              ? (p: number) => p < prefixEnd
              : (p: number) => coins.get(p) ?? (coins.set(p, rand() < 0.5), coins.get(p)!);
      return { truncated, length, keepPage };
    },
  };
}
