import { LIMITS } from '../../../shared/ipc/limits';

/** Splits keys into keys.delete calls that keep within both of the contract's limits: the count, and the keys' total length. */
export function deleteChunks(keys: string[]): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let chars = 0;
  for (const key of keys) {
    if (chunk.length === LIMITS.maxKeysPerCall || (chunk.length > 0 && chars + key.length > LIMITS.maxKeysCharsPerCall)) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(key);
    chars += key.length;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
