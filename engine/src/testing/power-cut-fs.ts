/**
 * An in-memory FileSystem that knows what a power cut would take away.
 *
 *   const fs = new PowerCutFileSystem({ dirs: ['/tmp'] });
 *   fs.onEffect = (effect) => { if (wanted) images.push(fs.crashImage(randomCut(rand))); };
 *   … run the engine on fs …
 *   const after = new PowerCutFileSystem({ image });   // the disk after the cut, rebooted
 *
 * It keeps unsynced data apart (the model is in power-cut-disk.ts, argued in
 * doc/power-loss.md), and crashImage(policy) answers "what could the disk
 * hold if power failed now": the policy (cut-policies.ts) picks which
 * unsynced operations reached the platter, among the states a real disk
 * could produce. Operations do what NodeFileSystem's do, step for step
 * (writeFileAtomic and createExclusive included), with the same errors.
 *
 * Effects of async calls happen when they resolve (one setImmediate later),
 * so other work interleaves as on a real disk; fdatasync and directory fsync
 * persist what was written before the call, not what arrives while they run.
 *
 * onEffect is called before every change to the disk, so a test can take a
 * crash image at every point of a run without stopping it. restartProcess()
 * models a process crash instead (the page cache survives): the old handle
 * dies, a new one sees the same disk with the same unsynced state.
 */
import { posix } from 'node:path';
import type { AppendableFile, FileSystem, ReadableFile } from '../fs/file-system.js';
import { type CutPolicy, type DirOpInfo, type DiskImage, DirNode, Disk, FileNode, type Node, slot } from './power-cut-disk.js';

export { DROP_UNSYNCED, KEEP_EVERYTHING, randomCut } from './cut-policies.js';
export {
  type CutPolicy,
  type DirOpInfo,
  type DirOpKind,
  type DiskImage,
  type FileCut,
  type FileCutInfo,
  type FileImage,
  PAGE_BYTES,
} from './power-cut-disk.js';

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
  return posix
    .normalize(path)
    .split('/')
    .filter((p) => p !== '');
}
