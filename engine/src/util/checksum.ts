import { crc32 } from 'node:zlib';

/**
 * CRC-32 from zlib (native since Node 20.15). Every block, log record and
 * footer carries one. The result is masked as LevelDB does, so that a CRC
 * computed over data that itself embeds CRCs does not produce trivial matches.
 */
export function checksum(data: Uint8Array, more?: Uint8Array): number {
  let c = crc32(data);
  if (more !== undefined) c = crc32(more, c);
  return maskCrc(c);
}

/** The stored form of a plain CRC-32 (for callers that compute it incrementally with zlib's crc32). */
export function maskCrc(c: number): number {
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}
