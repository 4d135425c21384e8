/**
 * An in-memory FileSystem that knows what a power cut would take away.
 *
 *   const fs = new PowerCutFileSystem({ dirs: ['/tmp'] });
 *   fs.onEffect = (effect) => { if (wanted) images.push(fs.crashImage(randomCut(rand))); };
 *   … run the engine on fs …
 *   const after = new PowerCutFileSystem({ image });   // the disk after the cut, rebooted
 *
 * Every file keeps its durable content (as of its last completed fdatasync)
 * apart from what was written since; every directory keeps its durable
 * entries apart from the creates, links, renames and removes done since.
 * crashImage(policy) answers "what could the disk hold if power failed
 * now": the policy picks which unsynced operations reached the platter, and
 * only states a real disk could produce are allowed:
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
 * doc/power-loss.md argues the model and lists its limits. Effects of async
 * calls happen when they resolve (one setImmediate later), so other work
 * interleaves as on a real disk; fdatasync and directory fsync persist what
 * was written before the call, not what arrives while they run.
 *
 * onEffect is called before every change to the disk, so a test can take a
 * crash image at every point of a run without stopping it. restartProcess()
 * models a process crash instead (the page cache survives): the old handle
 * dies, a new one sees the same disk with the same unsynced state.
 */
import { posix } from 'node:path';
import type { AppendableFile, FileSystem, ReadableFile } from '../fs/file-system.js';

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
      else if (r < 0.6) length = Math.min(max, Math.max(min, Math.ceil((min + Math.floor(rand() * (max - min + 1))) / PAGE_BYTES) * PAGE_BYTES));
      else length = min + Math.floor(rand() * (max - min + 1));
      const mode = rand();
      const prefixEnd = f.firstPage + Math.floor(rand() * (f.endPage - f.firstPage + 1));
      const coins = new Map<number, boolean>();
      const keepPage =
        mode < 0.25 ? () => true : mode < 0.5 ? () => false : mode < 0.75 ? (p: number) => p < prefixEnd : (p: number) => coins.get(p) ?? (coins.set(p, rand() < 0.5), coins.get(p)!);
      return { truncated, length, keepPage };
    },
  };
}

// ---- errors ---------------------------------------------------------------------

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [-2, 'no such file or directory'],
  EEXIST: [-17, 'file already exists'],
  ENOTDIR: [-20, 'not a directory'],
  EISDIR: [-21, 'illegal operation on a directory'],
  ERR_FS_EISDIR: [-21, 'path is a directory'],
  ENOTEMPTY: [-39, 'directory not empty'],
  EINVAL: [-22, 'invalid argument'],
  EBADF: [-9, 'bad file descriptor'],
  EIO: [-5, 'i/o error'],
};

function fsError(code: string, syscall: string, path?: string, dest?: string): NodeJS.ErrnoException {
  const [errno, text] = ERRNO[code] ?? [-5, code];
  const where = path === undefined ? '' : ` '${path}'${dest === undefined ? '' : ` -> '${dest}'`}`;
  const err = new Error(`${code}: ${text}, ${syscall}${where}`) as NodeJS.ErrnoException;
  err.code = code;
  err.errno = errno;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  return err;
}

/** What a handle of a crashed process gets: the process is gone, nothing it asks for happens. */
function deadProcess(syscall: string, path: string): NodeJS.ErrnoException {
  const err = fsError('EIO', syscall, path);
  err.message = `EIO: the simulated process was killed, ${syscall} '${path}'`;
  return err;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

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

class FileNode {
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
      throw new RangeError(`policy ${policy.name} cut ${path} to ${choice.length} bytes (truncated ${choice.truncated}), outside [${min}, ${max}]`);
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

class DirNode {
  readonly kind = 'dir';
  readonly id = ++nodeIds;
  /** What the running system sees. */
  readonly entries = new Map<string, Node>();
  /** What survives a power cut. */
  readonly durable = new Map<string, Node>();
}

type Node = FileNode | DirNode;

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

function slot(dir: DirNode, name: string): Slot {
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

class Disk {
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

// ---- the FileSystem ----------------------------------------------------------------

export interface PowerCutOptions {
  /** Start from this disk, all of it durable (the state after a cut and a reboot). */
  image?: DiskImage;
  /** Directories that exist, durably, from the start (e.g. '/tmp'). */
  dirs?: string[];
}

export class PowerCutFileSystem implements FileSystem {
  private readonly disk: Disk;
  private alive = true;
  private readonly handles = new Set<{ closed: boolean }>();

  constructor(options: PowerCutOptions = {}, disk?: Disk) {
    this.disk = disk ?? (options.image ? Disk.fromImage(options.image) : new Disk());
    for (const d of options.dirs ?? []) {
      let dir = this.disk.root;
      for (const part of parts(d)) {
        let next = dir.entries.get(part);
        if (next === undefined) {
          next = new DirNode();
          dir.entries.set(part, next);
          dir.durable.set(part, next);
        }
        if (next.kind !== 'dir') throw new RangeError(`${d}: ${part} is a file`);
        dir = next;
      }
    }
  }

  // ---- test controls ------------------------------------------------------------

  /** Called before every change to the disk (an append, a sync completing, a rename…), with what it is. */
  get onEffect(): ((effect: string) => void) | undefined {
    return this.disk.onEffect;
  }

  set onEffect(listener: ((effect: string) => void) | undefined) {
    this.disk.onEffect = listener;
  }

  /** Changes to the disk so far. */
  get effects(): number {
    return this.disk.effects;
  }

  /** What the disk could hold if power failed now, as `policy` chooses among the allowed states. */
  crashImage(policy: CutPolicy): DiskImage {
    return this.disk.crashImage(policy);
  }

  /** Directory operations not yet made durable, oldest first. */
  pendingDirOps(): DirOpInfo[] {
    return this.disk.pending.map((op) => op.info);
  }

  /**
   * A process crash: this handle and every file it opened stop working (their
   * calls fail, their in-flight calls never take effect), and the returned
   * handle sees the same disk, unsynced data and all, as a restarted process would.
   */
  restartProcess(): PowerCutFileSystem {
    this.alive = false;
    for (const h of this.handles) h.closed = true;
    return new PowerCutFileSystem({}, this.disk);
  }

  /** Makes syncs of matching files wait until the returned function is called (to keep a flush in progress). */
  holdSyncs(match: (path: string) => boolean): () => void {
    let release!: () => void;
    const hold = { match, until: new Promise<void>((r) => (release = r)) };
    this.disk.holds.push(hold);
    return () => {
      this.disk.holds = this.disk.holds.filter((h) => h !== hold);
      release();
    };
  }

  /**
   * Rewrites a file on disk and in the cache at once, as no write could:
   * for a harness that must make the machine's state match a reboot (a lock
   * file naming this very process as its owner, which in the simulated world died).
   */
  patchFile(path: string, change: (bytes: Buffer) => Buffer): void {
    const node = this.lookup(path, 'open');
    if (node.kind !== 'file') throw fsError('EISDIR', 'open', path);
    node.replace(change(node.content()));
  }

  // ---- FileSystem ------------------------------------------------------------------

  create(path: string): AppendableFile {
    this.check('open', path);
    const { dir, name } = this.parentOf(path, 'open');
    if (dir.entries.has(name)) throw fsError('EEXIST', 'open', path);
    const node = new FileNode();
    this.link(dir, name, node, 'create', path);
    return this.appendHandle(path, node, 0);
  }

  openAppend(path: string): AppendableFile {
    this.check('open', path);
    const node = this.lookup(path, 'open');
    if (node.kind !== 'file') throw fsError('EISDIR', 'open', path);
    return this.appendHandle(path, node, node.length);
  }

  openRead(path: string): ReadableFile {
    this.check('open', path);
    const node = this.lookup(path, 'open');
    if (node.kind !== 'file') throw fsError('EISDIR', 'open', path);
    const handle = { closed: false };
    this.handles.add(handle);
    const size = node.length;
    const check = (syscall: string) => {
      if (!this.alive) throw deadProcess(syscall, path);
      if (handle.closed) throw fsError('EBADF', syscall);
    };
    return {
      path,
      size,
      read: (position: number, length: number, into?: Buffer) => {
        check('read');
        if (position + length > node.length) {
          const err = new Error(`short read at ${Math.max(position, node.length)}`) as NodeJS.ErrnoException;
          err.code = 'ESHORTREAD';
          throw err;
        }
        const buf = into === undefined ? Buffer.allocUnsafe(length) : into.subarray(0, length);
        node.read(position, length, buf);
        return buf;
      },
      close: async () => {
        handle.closed = true;
        this.handles.delete(handle);
      },
    };
  }

  async readFile(path: string): Promise<Buffer> {
    await this.turn('open', path);
    const node = this.lookup(path, 'open');
    if (node.kind !== 'file') throw fsError('EISDIR', 'read', path);
    return node.content();
  }

  async writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    // The same steps as NodeFileSystem, so a cut can land between any two of them.
    const temp = `${path}.tmp`;
    await this.turn('open', temp);
    const { dir, name } = this.parentOf(temp, 'open');
    let node = dir.entries.get(name);
    if (node?.kind === 'dir') throw fsError('EISDIR', 'open', temp);
    if (node === undefined) {
      node = new FileNode();
      this.link(dir, name, node, 'create', temp);
    } else {
      this.disk.effect(`truncate ${temp} to 0`);
      node.setLength(0);
    }
    const file = node;
    this.disk.effect(`write ${temp} (${data.length} bytes)`);
    file.write(0, data);
    await this.syncNode(file, temp);
    await this.rename(temp, path);
    await this.syncDir(posix.dirname(path));
  }

  async rename(from: string, to: string): Promise<void> {
    await this.turn('rename', from);
    const src = this.parentOf(from, 'rename');
    const node = src.dir.entries.get(src.name);
    if (node === undefined) throw fsError('ENOENT', 'rename', from, to);
    const dst = this.parentOf(to, 'rename');
    if (src.dir === dst.dir && src.name === dst.name) return;
    // Linux checks the traps first: a directory into its own subtree, a target that contains the source.
    if (node.kind === 'dir' && this.isWithin(dst.dir, node)) throw fsError('EINVAL', 'rename', from, to);
    const existing = dst.dir.entries.get(dst.name);
    if (existing !== undefined) {
      if (existing.kind === 'dir' && this.isWithin(src.dir, existing)) throw fsError('ENOTEMPTY', 'rename', from, to);
      if (node.kind === 'dir' && existing.kind !== 'dir') throw fsError('ENOTDIR', 'rename', from, to);
      if (node.kind === 'file' && existing.kind === 'dir') throw fsError('EISDIR', 'rename', from, to);
      if (existing.kind === 'dir' && existing.entries.size > 0) throw fsError('ENOTEMPTY', 'rename', from, to);
    }
    this.disk.effect(`rename ${from} -> ${to}`);
    src.dir.entries.delete(src.name);
    dst.dir.entries.set(dst.name, node);
    this.disk.record({ kind: 'rename', path: from, to }, [slot(src.dir, src.name), slot(dst.dir, dst.name)], node);
  }

  async remove(path: string): Promise<void> {
    await this.turn('rm', path);
    const found = this.tryParentOf(path, 'rm');
    if (found === undefined) return;
    const node = found.dir.entries.get(found.name);
    if (node === undefined) return;
    if (node.kind === 'dir') throw fsError('ERR_FS_EISDIR', 'rm', path); // Node's fs.rm names it so
    this.unlink(found.dir, found.name, 'unlink', path);
  }

  async removeTree(path: string): Promise<void> {
    await this.turn('rm', path);
    const found = this.tryParentOf(path, 'rm');
    if (found === undefined) return;
    const node = found.dir.entries.get(found.name);
    if (node === undefined) return;
    const removeAll = (dir: DirNode, name: string, p: string) => {
      const n = dir.entries.get(name)!;
      if (n.kind === 'dir') for (const child of [...n.entries.keys()]) removeAll(n, child, posix.join(p, child));
      this.unlink(dir, name, n.kind === 'dir' ? 'rmdir' : 'unlink', p);
    };
    removeAll(found.dir, found.name, path);
  }

  async mkdir(path: string): Promise<void> {
    await this.turn('mkdir', path);
    let dir = this.disk.root;
    let p = '/';
    for (const part of parts(path)) {
      p = posix.join(p, part);
      const next = dir.entries.get(part);
      if (next === undefined) {
        const made = new DirNode();
        this.link(dir, part, made, 'mkdir', p);
        dir = made;
      } else if (next.kind === 'dir') dir = next;
      else throw fsError(p === posix.resolve(path) ? 'EEXIST' : 'ENOTDIR', 'mkdir', path);
    }
  }

  async readdir(path: string): Promise<string[]> {
    await this.turn('scandir', path);
    const node = this.lookup(path, 'scandir');
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'scandir', path);
    return [...node.entries.keys()];
  }

  async exists(path: string): Promise<boolean> {
    await this.turn('access', path);
    return this.find(path) !== undefined;
  }

  async syncDir(path: string): Promise<void> {
    this.check('fsync', path);
    const node = this.lookup(path, 'open');
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'fsync', path);
    const ops = this.disk.closureFor(node);
    await this.turn('fsync', path);
    this.disk.effect(`fsync directory ${path}`);
    // Operations made durable meanwhile by another fsync are no longer pending; persist skips them.
    this.disk.persist(ops);
  }

  async createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    // As NodeFileSystem: written aside, then hard-linked into place, nothing fsynced.
    // NodeFileSystem's names are random, so in practice never taken; a counter that skips taken names is the same, repeatably.
    let temp: string;
    do temp = `${path}.${process.pid}.${(++this.disk.tempCounter).toString(36)}.tmp`;
    while (this.find(temp) !== undefined);
    await this.turn('open', temp);
    const t = this.parentOf(temp, 'open');
    if (t.dir.entries.has(t.name)) throw fsError('EEXIST', 'open', temp);
    const node = new FileNode();
    this.link(t.dir, t.name, node, 'create', temp);
    this.disk.effect(`write ${temp} (${data.length} bytes)`);
    node.write(0, data);
    try {
      await this.turn('link', temp);
      const target = this.parentOf(path, 'link');
      if (target.dir.entries.has(target.name)) return false;
      this.link(target.dir, target.name, node, 'link', path);
      return true;
    } finally {
      await this.remove(temp);
    }
  }

  // ---- internals -------------------------------------------------------------------

  private check(syscall: string, path: string): void {
    if (!this.alive) throw deadProcess(syscall, path);
  }

  /** One event-loop turn, as a thread-pool call takes; then the process must still be alive. */
  private async turn(syscall: string, path: string): Promise<void> {
    this.check(syscall, path);
    await nextTurn();
    this.check(syscall, path);
  }

  private link(dir: DirNode, name: string, node: Node, kind: 'create' | 'mkdir' | 'link', path: string): void {
    this.disk.effect(`${kind} ${path}`);
    dir.entries.set(name, node);
    this.disk.record({ kind, path }, [slot(dir, name)], node);
  }

  private unlink(dir: DirNode, name: string, kind: 'unlink' | 'rmdir', path: string): void {
    this.disk.effect(`${kind} ${path}`);
    dir.entries.delete(name);
    this.disk.record({ kind, path }, [slot(dir, name)], undefined);
  }

  private async syncNode(node: FileNode, path: string): Promise<void> {
    const mark = node.mark();
    try {
      await this.turn('fdatasync', path);
      for (const hold of this.disk.holds) if (hold.match(path)) await hold.until;
      this.check('fdatasync', path);
      this.disk.effect(`fdatasync ${path}`);
      node.persist(mark);
    } finally {
      node.forget(mark);
    }
  }

  private appendHandle(path: string, node: FileNode, size: number): AppendableFile {
    const handle = { closed: false };
    this.handles.add(handle);
    let written = size;
    const check = (syscall: string) => {
      if (!this.alive) throw deadProcess(syscall, path);
      if (handle.closed) throw fsError('EBADF', syscall);
    };
    const file: AppendableFile = {
      path,
      size,
      append: (data: Uint8Array) => {
        check('write');
        this.disk.effect(`append ${path} @${file.size}+${data.length}`);
        node.write(file.size, data);
        (file as { size: number }).size += data.length;
        written = Math.max(written, file.size);
      },
      truncate: (to: number) => {
        check('ftruncate');
        this.disk.effect(`truncate ${path} to ${to}`);
        node.setLength(to);
        (file as { size: number }).size = to;
        written = to;
      },
      preallocate: (ahead: number) => {
        check('write');
        if (written - file.size >= ahead) return;
        const target = file.size + 2 * ahead;
        if (node.length < target) {
          this.disk.effect(`preallocate ${path} to ${target}`);
          node.setLength(target);
        }
        written = target;
      },
      sync: async () => {
        check('fdatasync');
        await this.syncNode(node, path);
      },
      close: async () => {
        handle.closed = true;
        this.handles.delete(handle);
      },
    };
    return file;
  }

  private find(path: string): Node | undefined {
    const found = this.walk(parts(path));
    return typeof found === 'string' ? undefined : found;
  }

  /** The node at `p`, or why there is none: ENOENT, or ENOTDIR when a file stands where a directory must. */
  private walk(p: readonly string[]): Node | 'ENOENT' | 'ENOTDIR' {
    let node: Node = this.disk.root;
    for (const part of p) {
      if (node.kind !== 'dir') return 'ENOTDIR';
      const next: Node | undefined = node.entries.get(part);
      if (next === undefined) return 'ENOENT';
      node = next;
    }
    return node;
  }

  private lookup(path: string, syscall: string): Node {
    const found = this.walk(parts(path));
    if (typeof found === 'string') throw fsError(found, syscall, path);
    return found;
  }

  /** For removals: undefined if there is nothing to remove; ENOTDIR if a file is in the way, as rm(2) says. */
  private tryParentOf(path: string, syscall: string): { dir: DirNode; name: string } | undefined {
    const p = parts(path);
    if (p.length === 0) return undefined;
    const parent = this.walk(p.slice(0, -1));
    if (parent === 'ENOENT') return undefined;
    if (parent === 'ENOTDIR' || parent.kind !== 'dir') throw fsError('ENOTDIR', syscall, path);
    return { dir: parent, name: p[p.length - 1] };
  }

  private parentOf(path: string, syscall: string): { dir: DirNode; name: string } {
    const p = parts(path);
    if (p.length === 0) throw fsError('EINVAL', syscall, path);
    const parent = this.walk(p.slice(0, -1));
    if (typeof parent === 'string') throw fsError(parent, syscall, path);
    if (parent.kind !== 'dir') throw fsError('ENOTDIR', syscall, path);
    return { dir: parent, name: p[p.length - 1] };
  }

  private isWithin(dir: DirNode, ancestor: DirNode): boolean {
    if (dir === ancestor) return true;
    const visit = (d: DirNode): boolean => [...d.entries.values()].some((n) => n === dir || (n.kind === 'dir' && visit(n)));
    return visit(ancestor);
  }
}

function parts(path: string): string[] {
  if (!posix.isAbsolute(path)) throw new RangeError(`PowerCutFileSystem takes absolute paths, got ${path}`);
  return posix.normalize(path).split('/').filter((p) => p !== '');
}
