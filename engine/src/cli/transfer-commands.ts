import { existsSync } from 'node:fs';
import { exportCollection, ExportError, type ExportRange, importCollection, ImportError, TRANSFER_FORMATS } from '../index.js';
import type { Args } from './command-args.js';
import type { Context, Spec } from './command.js';
import { UsageError } from './errors.js';
import { formatBytes } from './format.js';
import { progressBar } from './progress-bar.js';

/** How many skipped records IMPORT lists; the rest are counted. */
const SHOWN_BAD_RECORDS = 10;
const count = (n: number) => n.toLocaleString('en-US');
const entries = (n: number) => `${count(n)} ${n === 1 ? 'entry' : 'entries'}`;

/** The trailing `--format F` (or `--format=F`) and switches; returns the other tokens in order. */
function options(a: Args, switches: readonly string[]): { words: { text: string; quoted: boolean }[]; format?: string; on: Set<string> } {
  const words: { text: string; quoted: boolean }[] = [];
  const on = new Set<string>();
  let format: string | undefined;
  const tokens = a.tokens();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const flag = t.quoted ? undefined : /^--([a-z-]+)(?:=(.*))?$/i.exec(t.text);
    if (flag === undefined || flag === null) {
      words.push(t);
      continue;
    }
    const name = flag[1]!.toLowerCase();
    if (name === 'format') {
      format = flag[2] ?? tokens[++i]?.text;
      if (format === undefined || format === '') throw new UsageError(`--format needs one of ${TRANSFER_FORMATS.join(', ')}`, a.usage);
    } else if (switches.includes(name) && flag[2] === undefined) on.add(name);
    else throw new UsageError(`unknown option ${t.text}`, a.usage);
  }
  return { words, format, on };
}

function parseRange(words: { text: string; quoted: boolean }[], usage: string): ExportRange {
  const range: ExportRange = {};
  for (let i = 0; i < words.length; i += 2) {
    const word = words[i]!;
    const keyword = word.quoted ? '' : word.text.toUpperCase();
    const value = words[i + 1];
    if (!['PREFIX', 'FROM', 'TO'].includes(keyword))
      throw new UsageError(`unexpected ${JSON.stringify(word.text)}; expected PREFIX <p>, FROM <a> or TO <b>`, usage);
    if (value === undefined) throw new UsageError(`${keyword} needs a key`, usage);
    if (keyword === 'PREFIX') range.prefix = value.text;
    if (keyword === 'FROM') range.gte = value.text;
    if (keyword === 'TO') range.lt = value.text;
  }
  if (range.prefix !== undefined && (range.gte !== undefined || range.lt !== undefined))
    throw new UsageError('give PREFIX or FROM/TO, not both', usage);
  return range;
}

async function runExport(ctx: Context, a: Args): Promise<void> {
  const { words, format, on } = options(a, ['force']);
  const file = words.shift();
  if (file === undefined) throw new UsageError('missing <file>', a.usage);
  const range = parseRange(words, a.usage);
  if (existsSync(file.text) && !on.has('force')) throw new UsageError(`${file.text} already exists; add --force to replace it`, a.usage);
  const bar = progressBar(process.stderr, 'EXPORT');
  try {
    const r = await exportCollection(ctx.collection(), file.text, { format, range, signal: ctx.signal, onProgress: (p) => bar.update(p) });
    bar.done();
    ctx.out.line(`Exported ${entries(r.entries)} (${formatBytes(r.bytes)}) to ${file.text}`);
  } catch (err) {
    bar.done();
    if (err instanceof ExportError && err.reason === 'aborted')
      throw new UsageError(`EXPORT interrupted after ${entries(err.result.entries)}; ${file.text} was not written`);
    throw err;
  }
}

async function runImport(ctx: Context, a: Args): Promise<void> {
  const { words, format, on } = options(a, ['skip-bad']);
  const file = words.shift();
  if (file === undefined) throw new UsageError('missing <file>', a.usage);
  if (words.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(words[0]!.text)}`, a.usage);
  const bar = progressBar(process.stderr, 'IMPORT');
  try {
    const r = await importCollection(ctx.collection(), file.text, {
      format,
      onError: on.has('skip-bad') ? 'skip' : 'stop',
      maxBadRecords: SHOWN_BAD_RECORDS,
      signal: ctx.signal,
      onProgress: (p) => bar.update(p),
    });
    bar.done();
    const skipped =
      r.skipped === 0
        ? ''
        : `; skipped ${count(r.skipped)} bad record(s)${r.skipped > r.badRecords.length ? `, the first ${r.badRecords.length}` : ''}:`;
    ctx.out.line(`Imported ${entries(r.entries)} (${formatBytes(r.bytes)}) from ${file.text}${skipped}`);
    for (const b of r.badRecords) ctx.out.line(`  line ${b.line}: ${b.message}`);
  } catch (err) {
    bar.done();
    if (!(err instanceof ImportError)) throw err;
    const done = `${entries(err.result.entries)} imported`;
    if (err.reason === 'aborted') throw new UsageError(`IMPORT interrupted; ${done}`);
    if (err.reason === 'invalid-input') {
      const hint = on.has('skip-bad') ? '' : ' (add --skip-bad to skip bad records)';
      throw new UsageError(`${file.text}: ${err.message}; nothing after it was imported${hint}`);
    }
    throw err;
  }
}

export const TRANSFER_SPECS: Spec[] = [
  {
    name: 'EXPORT',
    usage: 'EXPORT <file> [PREFIX p | FROM a TO b]',
    summary: 'write keys (all, a prefix, or [a, b)) to .ndjson/.jsonl, .json or .csv (--format, --force)',
    needsCollection: true,
    run: runExport,
  },
  {
    name: 'IMPORT',
    usage: 'IMPORT <file> [--skip-bad]',
    summary: 'load a file (formats as EXPORT) in atomic batches; --skip-bad skips bad records',
    needsCollection: true,
    run: runImport,
  },
];
