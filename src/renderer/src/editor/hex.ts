export interface HexLine {
  offset: string;
  hex: string;
  ascii: string;
}

const encoder = new TextEncoder();

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** UTF-8 byte length without allocating the bytes. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const hex2 = (b: number): string => (b < 16 ? '0' : '') + b.toString(16);

/** The classic 16-bytes-per-line dump: offset, bytes in two groups of eight, printable ASCII. */
export function hexLines(bytes: Uint8Array, limit = bytes.length): HexLine[] {
  const lines: HexLine[] = [];
  const end = Math.min(limit, bytes.length);
  for (let start = 0; start < end; start += 16) {
    const parts: string[] = [];
    let ascii = '';
    for (let i = start; i < start + 16; i++) {
      if (i < end) {
        const b = bytes[i]!;
        parts.push(hex2(b));
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else parts.push('  ');
      if (i === start + 7) parts.push('');
    }
    lines.push({ offset: start.toString(16).padStart(8, '0'), hex: parts.join(' ').trimEnd(), ascii });
  }
  return lines;
}
