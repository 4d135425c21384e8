import { StorageError } from '../errors.js';
import { describe } from '../util/describe.js';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Collection names become directory names, so they are checked before they
 * touch the file system: 1-64 of A-Z a-z 0-9 _ - . and not starting with "."
 * (which also rules out "." and ".." and keeps hidden temp directories apart).
 */
export function checkCollectionName(name: unknown): string {
  if (typeof name !== 'string') throw new StorageError('INVALID_NAME', `collection name must be a string, got ${describe(name)}`);
  if (name.length === 0) throw new StorageError('INVALID_NAME', 'collection name must not be empty');
  if (name.length > 64) throw new StorageError('INVALID_NAME', `collection name is ${name.length} characters; the limit is 64`);
  if (name.startsWith('.')) throw new StorageError('INVALID_NAME', `collection name ${describe(name)} must not start with "."`);
  if (!NAME.test(name)) {
    const bad = [...name].find((ch) => !/[A-Za-z0-9_.-]/.test(ch))!;
    const shown = bad === '\0' ? 'NUL' : /\s/.test(bad) ? `whitespace (U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})` : `"${bad}"`;
    throw new StorageError('INVALID_NAME', `collection name ${describe(name)} contains ${shown}; use only letters, digits, "_", "-" and "."`);
  }
  return name;
}
