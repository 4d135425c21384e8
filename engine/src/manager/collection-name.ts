import { StorageError } from '../errors.js';
import { describe } from '../util/describe.js';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Names Windows reserves for devices, whatever the case and whatever follows
 * a dot ("aux.txt" opens the AUX device). A folder of such a name cannot be
 * created or copied there, so a data folder holding one would break when it
 * moves to Windows; refusing them everywhere keeps data folders portable.
 */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/**
 * Collection names become directory names, so they are checked before they
 * touch the file system: 1-64 of A-Z a-z 0-9 _ - . starting with a letter,
 * digit or "_" (which rules out "." and "..", keeps hidden staging
 * directories apart, and keeps "-rf" from reading as an option in a shell),
 * not ending in "." (Windows drops it, so "a." and "a" would be one folder),
 * and not a name Windows reserves.
 */
export function checkCollectionName(name: unknown): string {
  if (typeof name !== 'string') throw new StorageError('INVALID_NAME', `collection name must be a string, got ${describe(name)}`);
  if (name.length === 0) throw new StorageError('INVALID_NAME', 'collection name must not be empty');
  if (name.length > 64) throw new StorageError('INVALID_NAME', `collection name is ${name.length} characters; the limit is 64`);
  if (name.startsWith('.')) throw new StorageError('INVALID_NAME', `collection name ${describe(name)} must not start with "."`);
  if (!NAME.test(name)) {
    const bad = [...name].find((ch) => !/[A-Za-z0-9_.-]/.test(ch));
    if (bad === undefined) {
      throw new StorageError(
        'INVALID_NAME',
        `collection name ${describe(name)} must start with a letter, a digit or "_", not "${name[0]}"`,
      );
    }
    const shown =
      bad === '\0'
        ? 'NUL'
        : /\s/.test(bad)
          ? `whitespace (U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`
          : `"${bad}"`;
    throw new StorageError(
      'INVALID_NAME',
      `collection name ${describe(name)} contains ${shown}; use only letters, digits, "_", "-" and "."`,
    );
  }
  if (name.endsWith('.')) {
    throw new StorageError(
      'INVALID_NAME',
      `collection name ${describe(name)} must not end with "." (Windows drops it, so it would be the same folder as ${describe(name.replace(/\.+$/, ''))})`,
    );
  }
  const reserved = WINDOWS_RESERVED.exec(name);
  if (reserved) {
    throw new StorageError(
      'INVALID_NAME',
      `collection name ${describe(name)} is reserved on Windows ("${reserved[1].toUpperCase()}" is a device name, with any extension); choose another name`,
    );
  }
  return name;
}

/** The existing name that `name` matches but for case, if any: on Windows and macOS the two would be one folder. */
export function caseVariantOf(name: string, existing: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return existing.find((other) => other !== name && other.toLowerCase() === lower);
}
