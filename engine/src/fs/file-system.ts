/**
 * The file-system seam. Every byte the engine reads or writes goes through
 * this interface, so tests can inject ENOSPC/EIO failures (see
 * testing/faulty-fs.ts) and the compaction child can share the same code.
 *
 * Small appends and block reads are synchronous on purpose: a pwrite or pread
 * of a few KiB that hits the page cache costs a few microseconds, while a trip
 * through libuv's thread pool costs tens. Anything that can take milliseconds
 * (fsync, rename, directory work) is asynchronous.
 */
export interface AppendableFile {
  readonly path: string;
  /** Bytes written so far (the offset of the next append). */
  readonly size: number;
  /** Writes all of `data` at the end of the file (handles short writes). */
  append(data: Uint8Array): void;
  /** Cuts the file back to `size` bytes, e.g. to undo a failed partial append. */
  truncate(size: number): void;
  /** fdatasync: resolves once appended data survives power loss. */
  sync(): Promise<void>;
  /**
   * Writes zeros past the end, without changing `size`, when fewer than
   * `ahead` bytes there are already written; extends to 2 × `ahead` so a
   * stream of appends does it rarely. Appends into written blocks change no
   * metadata, so the fdatasync after them has no journal commit to wait for.
   * Readers of the file see the zeros (log readers take them as its end).
   */
  preallocate(ahead: number): void;
  close(): Promise<void>;
}

export interface ReadableFile {
  readonly path: string;
  readonly size: number;
  /**
   * Reads exactly `length` bytes at `position`; short reads are an error.
   * With `into` (at least `length` bytes) the bytes land there and the
   * result is a view of it, so hot paths can reuse one buffer.
   */
  read(position: number, length: number, into?: Buffer): Buffer;
  close(): Promise<void>;
}

export interface FileSystem {
  /** Creates a new file for appending; fails with EEXIST if it already exists. */
  create(path: string): AppendableFile;
  /** Opens an existing file for appending at its end. */
  openAppend(path: string): AppendableFile;
  openRead(path: string): ReadableFile;
  readFile(path: string): Promise<Buffer>;
  /** Replaces `path` atomically: temp file, fsync, rename, directory fsync. */
  writeFileAtomic(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; one that is already gone is not an error. */
  remove(path: string): Promise<void>;
  removeTree(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** fsync on a directory, so creates, renames and unlinks inside it are durable. */
  syncDir(path: string): Promise<void>;
  /** Creates `path` only if it does not exist; resolves false if it does. */
  createExclusive(path: string, data: Uint8Array): Promise<boolean>;
}
