/**
 * Buffered line output. Results are gathered and written in chunks, so a
 * long SCAN to a pipe costs a few large writes rather than one per key.
 */
export class Output {
  private buffer = '';

  constructor(
    private readonly write: (text: string) => void,
    private readonly chunkBytes = 64 * 1024,
  ) {}

  line(text: string): void {
    this.buffer += `${text}\n`;
    if (this.buffer.length >= this.chunkBytes) this.flush();
  }

  flush(): void {
    if (this.buffer === '') return;
    const text = this.buffer;
    this.buffer = '';
    this.write(text);
  }
}
