import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { AppendableFile, FileSystem, ReadableFile } from './file-system.js';

const fdatasync = promisify(fs.fdatasync);
const fsyncFd = promisify(fs.fsync);

/** Source of the zeros preallocate writes; never written into. */
const ZEROS = Buffer.alloc(256 * 1024);

class NodeAppendableFile implements AppendableFile {
  private fd: number;
  size: number;
  /** The file's real length: size plus the zeros written by preallocate. */
  private written: number;

  constructor(
    readonly path: string,
    fd: number,
    size: number,
  ) {
    this.fd = fd;
    this.size = size;
    this.written = size;
  }

  append(data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      done += fs.writeSync(this.fd, data, done, data.length - done, this.size + done);
    }
    this.size += data.length;
    if (this.size > this.written) this.written = this.size;
  }

  truncate(size: number): void {
    fs.ftruncateSync(this.fd, size);
    this.size = size;
    this.written = size;
  }

  preallocate(ahead: number): void {
    if (this.written - this.size >= ahead) return;
    const target = this.size + 2 * ahead;
    while (this.written < target) {
      this.written += fs.writeSync(this.fd, ZEROS, 0, Math.min(ZEROS.length, target - this.written), this.written);
    }
  }

  sync(): Promise<void> {
    return fdatasync(this.fd);
  }

  async close(): Promise<void> {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    await promisify(fs.close)(fd);
  }
}

class NodeReadableFile implements ReadableFile {
  private fd: number;

  constructor(
    readonly path: string,
    fd: number,
    readonly size: number,
  ) {
    this.fd = fd;
  }

  read(position: number, length: number, into?: Buffer): Buffer {
    const buf = into === undefined ? Buffer.allocUnsafe(length) : into.subarray(0, length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, done, length - done, position + done);
      if (n === 0) {
        const err = new Error(`short read at ${position + done}`) as NodeJS.ErrnoException;
        err.code = 'ESHORTREAD';
        throw err;
      }
      done += n;
    }
    return buf;
  }

  async close(): Promise<void> {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    await promisify(fs.close)(fd);
  }
}

export class NodeFileSystem implements FileSystem {
  create(path: string): AppendableFile {
    // Exclusive: every file the engine creates has a fresh number, so an existing
    // file means something else claimed that number; never write into it.
    return new NodeAppendableFile(path, fs.openSync(path, 'wx'), 0);
  }

  openAppend(path: string): AppendableFile {
    const fd = fs.openSync(path, 'r+');
    return new NodeAppendableFile(path, fd, fs.fstatSync(fd).size);
  }

  openRead(path: string): ReadableFile {
    const fd = fs.openSync(path, 'r');
    try {
      return new NodeReadableFile(path, fd, fs.fstatSync(fd).size);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  readFile(path: string): Promise<Buffer> {
    return fsp.readFile(path);
  }

  async writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    const temp = `${path}.tmp`;
    const handle = await fsp.open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, path);
    await this.syncDir(dirname(path));
  }

  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }

  async remove(path: string): Promise<void> {
    await fsp.rm(path, { force: true });
  }

  async removeTree(path: string): Promise<void> {
    await fsp.rm(path, { recursive: true, force: true });
  }

  async mkdir(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true });
  }

  readdir(path: string): Promise<string[]> {
    return fsp.readdir(path);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fsp.access(path);
      return true;
    } catch {
      // access() fails for a missing path and for one this process may not see: both read as absent.
      return false;
    }
  }

  async syncDir(path: string): Promise<void> {
    const fd = await promisify(fs.open)(path, 'r');
    try {
      await fsyncFd(fd);
    } finally {
      await promisify(fs.close)(fd);
    }
  }

  async createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    // Written aside and hard-linked into place, so the file appears with its
    // whole content at once: a reader never sees it empty or half-written.
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await fsp.writeFile(temp, data, { flag: 'wx' });
    } catch (err) {
      // A partial temp file is ours to remove; one that existed already (EEXIST) is not.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await fsp.rm(temp, { force: true }).catch(() => {});
      throw err;
    }
    try {
      await fsp.link(temp, path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      // Only tidying: once linked, `path` exists with its content whatever happens to the temp name.
      await fsp.rm(temp, { force: true }).catch(() => {});
    }
  }
}
