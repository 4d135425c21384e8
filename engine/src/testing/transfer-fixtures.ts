import { join } from 'node:path';
import { after } from 'node:test';
import { StorageManager } from '../manager/storage-manager.js';
import type { Collection } from '../db/collection.js';
import { tempDir } from './temp-dir.js';

/** Test helpers for the transfer specifications: fresh collections and files in one temp dir. */
const dir = tempDir('strata-transfer');
const managers: StorageManager[] = [];
after(async () => {
  await Promise.all(managers.map((m) => m.closeAll()));
  dir.cleanup();
});
let n = 0;

export async function freshCollection(): Promise<Collection> {
  const m = new StorageManager({ baseDataPath: join(dir.path, `db${n++}`) });
  managers.push(m);
  await m.createCollection('t');
  return m.useCollection('t');
}

export function tempFile(name: string): string {
  return join(dir.path, `${n++}-${name}`);
}

export async function entries(c: Collection, range?: object): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const e of c.scan(range)) out.push(e);
  return out;
}

/** Keys and values that break naive formats: separators, quotes, line breaks, astral and invisible characters. */
export const HOSTILE: readonly string[] = [
  'key',
  'value',
  '"key"',
  'key,value',
  '{"key":"x","value":"y"}',
  '[',
  ']',
  ',',
  '"',
  '""',
  '"quoted", with comma',
  'a\nb',
  'a\r\nb',
  '\r',
  '\n',
  'trailing\r',
  ' leading and trailing spaces ',
  '\t',
  '\uFEFFstarts with a BOM',
  '\uFEFF',
  '\u200B\u200D',
  '\u2028\u2029',
  'emoji 😀 and 𝄞 (astral)',
  '😀',
  '0',
  '007',
  '1e3',
  '-1',
  'NaN',
  'null',
  'true',
  '#not a comment',
  '\\',
  '\\n',
  '\\u0000',
  '\u0000nul\u0000',
  '\u007f\u0001\u001f',
  'é (precomposed) vs é (combining)',
  '中文,日本語',
  '=1+1',
];
