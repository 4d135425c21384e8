import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from '../db/validate.js';

/**
 * The longest record text accepted before giving up on the file: the largest
 * key and value, each escaped at worst six characters per byte (\u00XX), and
 * room for the framing. Bounds the memory a hostile file can take.
 */
export const MAX_RECORD_CHARS = (MAX_KEY_BYTES + MAX_VALUE_BYTES) * 6 + 1024;
