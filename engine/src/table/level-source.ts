import type { ValueKind } from '../log/write-batch.js';
import type { BlockCursor } from './block-reader.js';
import type { TableReader } from './table-reader.js';
import { firstEndingAtOrAfter, type KeySpan, lastStartingAtOrBefore } from '../util/key-span.js';
import type { EntrySource } from './entry-source.js';
import { TableSource } from './table-source.js';

/**
 * Concatenates the sorted, non-overlapping files of one level (L1 and
 * deeper). A seek opens only the one file that can hold the target; the
 * next file is opened when the scan reaches it, through the same TableSource.
 */
export class LevelSource<F extends KeySpan> implements EntrySource {
  private file: number;
  private current: TableSource | undefined;

  constructor(
    private readonly files: readonly F[],
    private readonly open: (file: F) => TableReader,
    private readonly reverse: boolean,
    target: string | undefined,
    inclusive: boolean,
    targetBytes?: Buffer,
  ) {
    if (target === undefined) this.file = reverse ? files.length - 1 : 0;
    else this.file = reverse ? lastStartingAtOrBefore(files, target) : firstEndingAtOrAfter(files, target);
    this.openAt(target, inclusive, targetBytes);
  }

  get valid(): boolean {
    return this.current !== undefined && this.current.valid;
  }
  get key(): string {
    return this.current!.key;
  }
  get sortKey(): string {
    return this.current!.sortKey;
  }
  get sequence(): number {
    return this.current!.sequence;
  }
  get kind(): ValueKind {
    return this.current!.kind;
  }
  value(): string {
    return this.current!.value();
  }

  get raw(): BlockCursor {
    return this.current!.raw;
  }

  release(): void {
    this.current?.release();
    this.current = undefined;
  }

  next(): void {
    this.current!.next();
    if (!this.current!.valid) {
      this.file += this.reverse ? -1 : 1;
      this.openAt(undefined, true, undefined);
    }
  }

  private openAt(target: string | undefined, inclusive: boolean, targetBytes: Buffer | undefined): void {
    while (this.file >= 0 && this.file < this.files.length) {
      const table = this.open(this.files[this.file]);
      if (this.current === undefined) this.current = new TableSource(table, this.reverse);
      else this.current.switchTo(table);
      if (this.current.seek(target, inclusive, targetBytes).valid) return;
      this.file += this.reverse ? -1 : 1;
      target = undefined;
      targetBytes = undefined;
    }
  }
}
