/**
 * The model behind PowerCutFileSystem: a disk that keeps, per file, the
 * content as of its last completed fdatasync apart from what was written
 * since, and per directory, its durable entries apart from the creates,
 * links, renames and removes done since its last fsync; and crashImage(),
 * the state a power cut could leave, as a CutPolicy chooses among:
 *
 *   - A file keeps its unsynced appends up to some point (a prefix), and of
 *     unsynced overwrites of bytes that were already durable (a preallocated
 *     WAL's zeros) any subset of 4 KiB pages. A truncate since the last sync
 *     happened or not. fdatasync persists the data and the size.
 *   - Directory operations reach the disk each on its own, except that
 *     operations on the same name keep their order (a name's later
 *     operation implies its earlier ones) and a rename is atomic (both of
 *     its names or neither). fsync of a directory makes its operations
 *     durable, with the earlier operations they depend on.
 *   - Only what is reachable from the root is on the disk: a file whose
 *     directory entry was not durable is gone, even if the file was fsynced.
 *
 * doc/power-loss.md argues the model (against ext4, data=ordered) and lists
 * its limits. power-cut-fs.ts puts the FileSystem interface on top.
 */
import { posix } from 'node:path';

/** Granularity of unsynced overwrites reaching the disk. */
export const PAGE_BYTES = 4096;

/** A file's bytes: past `bytes.length`, up to `length`, it reads as zeros. Never changed once made, so images share them. */
export interface FileImage {
  readonly bytes: Buffer;
  readonly length: number;
}

/** What a disk holds: directories (parents first) and files; hard links share one FileImage object. */
export interface DiskImage {
  readonly dirs: readonly string[];
  readonly files: ReadonlyMap<string, FileImage>;
}

export type DirOpKind = 'create' | 'mkdir' | 'link' | 'unlink' | 'rmdir' | 'rename';

/** An unsynced directory operation, as a policy sees it. */
export interface DirOpInfo {
  readonly kind: DirOpKind;
  /** The name it creates or removes; for a rename, the old name. */
  readonly path: string;
  /** For a rename, the new name. */
  readonly to?: string;
}

/** A file with unsynced changes, as a policy sees it. */
export interface FileCutInfo {
  readonly path: string;
  readonly durableLength: number;
  readonly currentLength: number;
  /** The shortest the file was since its last sync: below durableLength if it was truncated. */
  readonly lowestLength: number;
  /** Pages [firstPage, endPage) may hold unsynced overwrites of durable bytes. */
  readonly firstPage: number;
  readonly endPage: number;
}

/**
 * How much of one file's unsynced data survives. With truncated false the
 * file keeps its durable bytes and `length` is in [durableLength,
 * max(durableLength, currentLength)]; with truncated true (only if
 * lowestLength < durableLength) the truncate reached the disk and `length`
 * is in [lowestLength, currentLength]. Pages below both lengths take the
 * new bytes where keepPage says so, else the durable ones; bytes past them
 * are the new ones, up to `length`.
 */
export interface FileCut {
  truncated: boolean;
  length: number;
  keepPage(page: number): boolean;
}

/** Chooses, at a simulated power cut, which unsynced operations reached the disk. */
export interface CutPolicy {
  readonly name: string;
  /** Asked in operation order, only for operations whose earlier operations on the same names were kept. */
  keepDirOp(op: DirOpInfo): boolean;
  cutFile(file: FileCutInfo): FileCut;
}

// ---- files ----------------------------------------------------------------------

let nodeIds = 0;
let markCount = 0;

interface SyncMark {
  /** Marks are numbered in the order their syncs were called. */
  order: number;
  image: FileImage;
  /** Lowest offset written, and shortest length, since the mark was taken. */
  dirtyFrom: number;
  low: number;
}

export class FileNode {
  readonly kind = 'file';
  readonly id = ++nodeIds;
  /** Current content; bytes past `used` are zero. Shared with an image until first written (copy on write). */
  private buf: Buffer;
  private owned = false;
  private used: number;
  length: number;
  durable: FileImage;
  /** Since the durable point: lowest offset written, shortest length. */
  private dirtyFrom = Infinity;
  private low: number;
  private readonly marks = new Set<SyncMark>();

  constructor(image: FileImage = EMPTY_FILE) {
    this.buf = image.bytes;
    this.used = image.bytes.length;
    this.length = image.length;
    this.durable = image;
    this.low = image.length;
  }

  read(position: number, length: number, into: Buffer): void {
    const end = position + length;
    const copyEnd = Math.min(end, this.used);
    if (copyEnd > position) this.buf.copy(into, 0, position, copyEnd);
    if (end > Math.max(copyEnd, position)) into.fill(0, Math.max(copyEnd, position) - position, length);
  }

  content(): Buffer {
    const out = Buffer.alloc(this.length);
    this.read(0, this.length, out);
    return out;
  }

  write(position: number, data: Uint8Array): void {
    const end = position + data.length;
    this.reserve(end);
    if (position > this.used) this.buf.fill(0, this.used, position);
    this.buf.set(data, position);
    this.used = Math.max(this.used, end);
    this.length = Math.max(this.length, end);
    this.touched(position, this.length);
  }

  setLength(length: number): void {
    if (length < this.used) {
      this.reserve(this.used);
      this.buf.fill(0, length, this.used);
      this.used = length;
    }
    this.length = length;
    this.touched(length, length);
  }

  /** A frozen copy of the current content, to become durable when a sync completes. */
  mark(): SyncMark {
    const m: SyncMark = { order: ++markCount, image: this.freeze(), dirtyFrom: Infinity, low: this.length };
    this.marks.add(m);
    return m;
  }

  /** The sync that took `m` completed: its content is durable, later writes stay unsynced. */
  persist(m: SyncMark): void {
    // A sync called earlier that completes after a later one persists nothing the later did not.
    if (!this.marks.has(m)) return;
    this.durable = m.image;
    this.dirtyFrom = m.dirtyFrom;
    this.low = m.low;
    for (const other of this.marks) if (other.order <= m.order) this.marks.delete(other);
  }

  forget(m: SyncMark): void {
    this.marks.delete(m);
  }

  /** Replaces the content on disk and in the cache alike (see PowerCutFileSystem.patchFile). */
  replace(bytes: Buffer): void {
    this.buf = Buffer.from(bytes);
    this.owned = true;
    this.used = bytes.length;
    this.length = bytes.length;
    this.durable = { bytes: Buffer.from(bytes), length: bytes.length };
    this.dirtyFrom = Infinity;
    this.low = bytes.length;
    this.marks.clear();
  }

  get unsynced(): boolean {
    return this.dirtyFrom !== Infinity || this.length !== this.durable.length || this.low !== this.durable.length;
  }

  /** This file as the policy says it reached the disk. */
  cut(policy: CutPolicy, path: string): FileImage {
    if (!this.unsynced) return this.durable;
    const dl = this.durable.length;
    const cl = this.length;
    // Overwrites of durable bytes that are still in the file reach the disk page by page.
    const overwriteEnd = Math.min(dl, cl);
    const endPage = Math.ceil(overwriteEnd / PAGE_BYTES);
    const firstPage = Math.min(endPage, Math.floor(this.dirtyFrom / PAGE_BYTES));
    const info: FileCutInfo = { path, durableLength: dl, currentLength: cl, lowestLength: this.low, firstPage, endPage };
    const choice = policy.cutFile(info);
    const min = choice.truncated ? this.low : dl;
    const max = choice.truncated ? cl : Math.max(dl, cl);
    if ((choice.truncated && !(this.low < dl)) || !Number.isInteger(choice.length) || choice.length < min || choice.length > max) {
      throw new RangeError(
        `policy ${policy.name} cut ${path} to ${choice.length} bytes (truncated ${choice.truncated}), outside [${min}, ${max}]`,
      );
    }
    const length = choice.length;
    // Only the part that can hold non-zero bytes is built; the rest of `length` reads as zeros.
    const out = Buffer.alloc(Math.min(length, Math.max(this.durable.bytes.length, this.used)));
    const durableBytes = this.durable.bytes;
    const fromCurrent = (from: number, to: number) => {
      const end = Math.min(to, out.length);
      if (end > from) this.read(from, end - from, out.subarray(from, end));
    };
    const pagedEnd = Math.min(length, choice.truncated ? this.low : overwriteEnd);
    durableBytes.copy(out, 0, 0, Math.min(pagedEnd, out.length));
    for (let page = firstPage; page * PAGE_BYTES < pagedEnd; page++) {
      if (choice.keepPage(page)) fromCurrent(page * PAGE_BYTES, Math.min(pagedEnd, (page + 1) * PAGE_BYTES));
    }
    if (!choice.truncated && cl < dl) {
      // The truncate did not reach the disk: past the new end, the durable bytes are still there.
      durableBytes.copy(out, cl, cl, Math.min(length, out.length));
    } else {
      fromCurrent(pagedEnd, length);
    }
    return trimmed(out, length);
  }

  private freeze(): FileImage {
    return { bytes: Buffer.from(this.buf.subarray(0, this.used)), length: this.length };
  }

  private reserve(size: number): void {
    if (this.owned && this.buf.length >= size) return;
    const next = Buffer.alloc(Math.max(size, this.owned ? this.buf.length * 2 : this.used, 256));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
    this.owned = true;
  }

  private touched(from: number, length: number): void {
    this.dirtyFrom = Math.min(this.dirtyFrom, from);
    this.low = Math.min(this.low, length);
    for (const m of this.marks) {
      m.dirtyFrom = Math.min(m.dirtyFrom, from);
      m.low = Math.min(m.low, length);
    }
  }
}

const EMPTY_FILE: FileImage = { bytes: Buffer.alloc(0), length: 0 };

/** An image of a file of `length` bytes whose non-zero bytes are in `content`, without its trailing zeros stored. */
function trimmed(content: Buffer, length: number): FileImage {
  let end = content.length;
  while (end > 0 && content[end - 1] === 0) end--;
  return { bytes: end === content.length ? content : Buffer.from(content.subarray(0, end)), length };
}

// ---- directories ----------------------------------------------------------------

export class DirNode {
  readonly kind = 'dir';
  readonly id = ++nodeIds;
  /** What the running system sees. */
  readonly entries = new Map<string, Node>();
  /** What survives a power cut. */
  readonly durable = new Map<string, Node>();
}

export type Node = FileNode | DirNode;

interface Slot {
  dir: DirNode;
  name: string;
  key: string;
}

interface DirOp {
  readonly seq: number;
  readonly info: DirOpInfo;
  readonly slots: readonly Slot[];
  /** The node bound at the (last) slot: created, linked or renamed there. */
  readonly node: Node | undefined;
}

export function slot(dir: DirNode, name: string): Slot {
  return { dir, name, key: `${dir.id}/${name}` };
}

/** Applies `op` to the directory maps `mapOf` gives. */
function applyOp(op: DirOp, mapOf: (d: DirNode) => Map<string, Node>): void {
  const [a, b] = op.slots;
  switch (op.info.kind) {
    case 'create':
    case 'mkdir':
    case 'link':
      mapOf(a.dir).set(a.name, op.node!);
      break;
    case 'unlink':
    case 'rmdir':
      mapOf(a.dir).delete(a.name);
      break;
    case 'rename':
      mapOf(a.dir).delete(a.name);
      mapOf(b.dir).set(b.name, op.node!);
      break;
  }
}

// ---- the disk -------------------------------------------------------------------

export class Disk {
  readonly root = new DirNode();
  /** Unsynced directory operations, oldest first. */
  pending: DirOp[] = [];
  private opSeq = 0;
  effects = 0;
  onEffect: ((effect: string) => void) | undefined;
  holds: { match: (path: string) => boolean; until: Promise<void> }[] = [];
  tempCounter = 0;

  /** Announces a change about to happen (a test may take a crash image now). */
  effect(what: string): void {
    this.effects++;
    this.onEffect?.(what);
  }

  record(info: DirOpInfo, slots: Slot[], node: Node | undefined): void {
    this.pending.push({ seq: ++this.opSeq, info, slots, node });
  }

  /** The pending operations an fsync of `dir` makes durable: those touching it and, transitively, the earlier ones on the same names. */
  closureFor(dir: DirNode): Set<DirOp> {
    const marked = new Set<DirOp>();
    const required = new Set<string>();
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const op = this.pending[i];
      if (op.slots.some((s) => s.dir === dir || required.has(s.key))) {
        marked.add(op);
        for (const s of op.slots) required.add(s.key);
      }
    }
    return marked;
  }

  persist(ops: Set<DirOp>): void {
    if (ops.size === 0) return;
    const rest: DirOp[] = [];
    for (const op of this.pending) {
      if (ops.has(op)) applyOp(op, (d) => d.durable);
      else rest.push(op);
    }
    this.pending = rest;
  }

  crashImage(policy: CutPolicy): DiskImage {
    const overlay = new Map<DirNode, Map<string, Node>>();
    const mapOf = (d: DirNode) => {
      let m = overlay.get(d);
      if (m === undefined) overlay.set(d, (m = new Map(d.durable)));
      return m;
    };
    const kept = new Map<string, boolean>();
    for (const op of this.pending) {
      const eligible = op.slots.every((s) => kept.get(s.key) !== false);
      const keep = eligible && policy.keepDirOp(op.info);
      for (const s of op.slots) kept.set(s.key, keep);
      if (keep) applyOp(op, mapOf);
    }
    const dirs: string[] = [];
    const files = new Map<string, FileImage>();
    const cuts = new Map<FileNode, FileImage>();
    const seen = new Set<DirNode>();
    const walk = (dir: DirNode, path: string) => {
      if (seen.has(dir)) return;
      seen.add(dir);
      dirs.push(path);
      const entries = [...(overlay.get(dir) ?? dir.durable)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [name, node] of entries) {
        const p = posix.join(path, name);
        if (node.kind === 'dir') walk(node, p);
        else {
          let image = cuts.get(node);
          if (image === undefined) cuts.set(node, (image = node.cut(policy, p)));
          files.set(p, image);
        }
      }
    };
    walk(this.root, '/');
    return { dirs, files };
  }

  static fromImage(image: DiskImage): Disk {
    const disk = new Disk();
    const dirs = new Map<string, DirNode>([['/', disk.root]]);
    const place = (path: string, node: Node) => {
      const parent = dirs.get(posix.dirname(path));
      if (parent === undefined) throw new RangeError(`image lists ${path} before its directory`);
      parent.entries.set(posix.basename(path), node);
      parent.durable.set(posix.basename(path), node);
    };
    for (const d of image.dirs) {
      if (d === '/') continue;
      const node = new DirNode();
      dirs.set(d, node);
      place(d, node);
    }
    const nodes = new Map<FileImage, FileNode>();
    for (const [path, content] of image.files) {
      let node = nodes.get(content);
      if (node === undefined) nodes.set(content, (node = new FileNode(content)));
      place(path, node);
    }
    return disk;
  }
}
