import { quoteArg } from './parse.js';
import { Args } from './command-args.js';
import type { Command, Spec } from './command.js';
import { UsageError } from './errors.js';
import { formatStats } from './format.js';
import { progressBar } from './progress-bar.js';
import { formatRepairReport } from './repair-format.js';
import { listEntries, prefixEnd } from './listing.js';
import { TRANSFER_SPECS } from './transfer-commands.js';

const bound = (key: string | undefined) => (key === '' ? undefined : key);

/**
 * The command table, declared once: dispatch, HELP, --help and Tab
 * completion all read it. Command words and LIMIT are case-insensitive;
 * collection names and keys are not.
 */
const SPECS: Spec[] = [
  {
    name: 'CREATE',
    usage: 'CREATE <name>',
    summary: 'create a collection (names: letters, digits, _ - .)',
    run: async (ctx, a) => {
      const name = a.required('<name>');
      a.end();
      await ctx.manager.createCollection(name);
    },
  },
  {
    name: 'USE',
    usage: 'USE <name>',
    summary: 'open a collection and make it the active one',
    completes: 'collection',
    run: async (ctx, a) => {
      const name = a.required('<name>');
      a.end();
      await ctx.manager.useCollection(name);
    },
  },
  {
    name: 'LIST',
    usage: 'LIST',
    summary: 'list the collections in the data directory',
    run: async (ctx, a) => {
      a.end();
      const names = await ctx.manager.listCollections();
      for (const name of names) ctx.out.line(name);
      if (names.length === 0) ctx.out.line('(none)');
    },
  },
  {
    name: 'ACTIVE',
    usage: 'ACTIVE',
    summary: 'print the active collection',
    run: (ctx, a) => {
      a.end();
      ctx.out.line(ctx.manager.getActiveCollection()?.name ?? '(none)');
    },
  },
  {
    name: 'CLOSE',
    usage: 'CLOSE [<name>]',
    summary: 'close a collection (the active one if no name is given)',
    completes: 'collection',
    run: async (ctx, a) => {
      const name = a.optional() ?? ctx.manager.getActiveCollection()?.name;
      a.end();
      if (name === undefined) throw new UsageError('no active collection to close; give a name', 'CLOSE [<name>]');
      await ctx.manager.closeCollection(name);
    },
  },
  {
    name: 'DROP',
    usage: 'DROP <name>',
    summary: 'delete a collection and all its data (asks first in the shell)',
    completes: 'collection',
    run: async (ctx, a) => {
      const name = a.required('<name>');
      a.end();
      if (ctx.terminal !== undefined && (await ctx.manager.listCollections()).includes(name)) {
        const answer = await ctx.terminal.ask(`Drop collection "${name}" and delete all its data? [y/N] `, ctx.signal);
        if (answer === undefined || !/^y(es)?$/i.test(answer.trim())) {
          ctx.out.line('Not dropped.');
          return;
        }
      }
      await ctx.manager.dropCollection(name);
    },
  },
  {
    name: 'REPAIR',
    usage: 'REPAIR <name>',
    summary: 'rebuild a damaged collection from its files; what it cannot use goes to its lost/ folder (asks first in the shell)',
    completes: 'collection',
    run: async (ctx, a) => {
      const name = a.required('<name>');
      a.end();
      if (ctx.terminal !== undefined) {
        const answer = await ctx.terminal.ask(
          `Repair collection "${name}"? This rebuilds its manifest from its tables and logs, keeping every intact record; files it cannot use are moved to ${name}/lost/, not deleted. [y/N] `,
          ctx.signal,
        );
        if (answer === undefined || !/^y(es)?$/i.test(answer.trim())) {
          ctx.out.line('Not repaired.');
          return;
        }
      }
      const bar = progressBar(process.stderr, 'REPAIR');
      let report;
      try {
        report = await ctx.manager.repairCollection(name, { onProgress: (p) => bar.updateBytes(p.phase, p.doneBytes, p.totalBytes) });
      } finally {
        bar.done();
      }
      for (const line of formatRepairReport(report)) ctx.out.line(line);
    },
  },
  {
    name: 'PUT',
    usage: 'PUT <key> <value…>',
    summary: 'store a value: the rest of the line, spaces included; prints OK',
    needsCollection: true,
    run: async (ctx, a) => {
      const key = a.required('<key> and <value>');
      const value = a.rest();
      if (value === '') throw new UsageError(`missing <value> for key ${quoteArg(key)}`, a.usage);
      await ctx.collection().put(key, value);
      ctx.out.line('OK');
    },
  },
  {
    name: 'GET',
    usage: 'GET <key>',
    summary: 'print "Value: <value>", or (nil) if the key is absent',
    needsCollection: true,
    run: async (ctx, a) => {
      const key = a.required('<key>');
      a.end();
      const value = await ctx.collection().get(key);
      ctx.out.line(value === undefined ? '(nil)' : `Value: ${value}`);
    },
  },
  {
    name: 'DELETE',
    usage: 'DELETE <key>',
    summary: 'delete a key; prints OK',
    needsCollection: true,
    run: async (ctx, a) => {
      const key = a.required('<key>');
      a.end();
      await ctx.collection().delete(key);
      ctx.out.line('OK');
    },
  },
  {
    name: 'EXISTS',
    usage: 'EXISTS <key>',
    summary: 'print True or False',
    needsCollection: true,
    run: async (ctx, a) => {
      const key = a.required('<key>');
      a.end();
      ctx.out.line((await ctx.collection().exists(key)) ? 'True' : 'False');
    },
  },
  {
    name: 'SCAN',
    aliases: ['RANGE'],
    usage: 'SCAN [<from> [<to>]] [LIMIT n]',
    summary: 'list the keys in [from, to) in order, as key: value ("" = no bound)',
    needsCollection: true,
    run: async (ctx, a) => {
      const { keys, limit } = a.keysAndLimit(2);
      const [from, to] = [bound(keys[0]), bound(keys[1])];
      const it = ctx.collection().scan({ gte: from, lt: to, limit });
      await listEntries(ctx, it, limit, (next) => `SCAN ${quoteArg(next)}${to === undefined ? '' : ` ${quoteArg(to)}`}`);
    },
  },
  {
    name: 'PREFIX',
    usage: 'PREFIX <prefix> [LIMIT n]',
    summary: 'list the keys that start with <prefix>, as key: value',
    needsCollection: true,
    run: async (ctx, a) => {
      const { keys, limit } = a.keysAndLimit(1);
      const prefix = keys[0];
      if (prefix === undefined) throw new UsageError('missing <prefix>', a.usage);
      const it = ctx.collection().scan({ prefix, limit });
      const end = prefixEnd(prefix);
      await listEntries(ctx, it, limit, (next) => `SCAN ${quoteArg(next)}${end === undefined ? '' : ` ${quoteArg(end)}`}`);
    },
  },
  {
    name: 'COUNT',
    usage: 'COUNT [<prefix>]',
    summary: 'count the keys (that start with <prefix>)',
    needsCollection: true,
    run: async (ctx, a) => {
      const prefix = a.optional();
      a.end();
      let n = 0;
      for await (const _ of ctx.collection().scan({ prefix })) {
        n++;
        if (ctx.signal.aborted) throw new UsageError(`COUNT interrupted after ${n} keys`);
      }
      ctx.out.line(String(n));
    },
  },
  {
    name: 'STATS',
    usage: 'STATS',
    summary: 'files and bytes per level, memtable, write amplification, compaction',
    needsCollection: true,
    run: (ctx, a) => {
      a.end();
      for (const line of formatStats(ctx.collection().stats())) ctx.out.line(line);
    },
  },
  {
    name: 'FLUSH',
    usage: 'FLUSH',
    summary: 'write the memtable to an L0 table; prints OK',
    needsCollection: true,
    run: async (ctx, a) => {
      a.end();
      await ctx.collection().flush();
      ctx.out.line('OK');
    },
  },
  {
    name: 'COMPACT',
    usage: 'COMPACT [<from> [<to>]]',
    summary: 'compact the whole collection, or the keys in [from, to); prints OK',
    needsCollection: true,
    run: async (ctx, a) => {
      const from = bound(a.optional());
      const to = bound(a.optional());
      a.end();
      await ctx.collection().compact({ gte: from, lt: to });
      ctx.out.line('OK');
    },
  },
  ...TRANSFER_SPECS,
  {
    name: 'HELP',
    usage: 'HELP [<command>]',
    summary: 'list the commands, or show one',
    completes: 'command',
    run: (ctx, a) => {
      const word = a.optional();
      a.end();
      for (const line of word === undefined ? helpLines() : commandHelp(word)) ctx.out.line(line);
    },
  },
  {
    name: 'EXIT',
    aliases: ['QUIT'],
    usage: 'EXIT',
    summary: 'close every collection and quit (also Ctrl-D)',
    run: (ctx, a) => {
      a.end();
      ctx.exit();
    },
  },
];

export const COMMANDS: readonly Command[] = SPECS.map((s) => ({
  ...s,
  aliases: s.aliases ?? [],
  needsCollection: s.needsCollection ?? false,
  run: async (ctx, reader) => s.run(ctx, new Args(reader, s.usage)),
}));

const byWord = new Map<string, Command>(COMMANDS.flatMap((c) => [c.name, ...c.aliases].map((w) => [w, c] as const)));

export function findCommand(word: string): Command | undefined {
  return byWord.get(word.toUpperCase());
}

/** Every command word, aliases included, in table order. */
export function commandNames(): string[] {
  return [...byWord.keys()];
}

/** The command list shown by HELP and --help. */
export function helpLines(): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length)) + 2;
  return [
    'Commands (case-insensitive):',
    ...COMMANDS.map((c) => {
      const alias = c.aliases.length === 0 ? '' : `; alias ${c.aliases.join(', ')}`;
      return `  ${c.usage.padEnd(width)}${c.summary}${alias}`;
    }),
    '',
    'Keys with spaces or quotes: write them in double quotes with JSON escapes,',
    '  as in GET "my key" or PUT "say \\"hi\\"" some value. Unquoted words are taken as typed.',
    "PUT's value is always the raw rest of the line: nothing in it is unquoted or unescaped.",
    'Lines starting with # are comments.',
  ];
}

function commandHelp(word: string): string[] {
  const c = findCommand(word);
  if (c === undefined) throw new UsageError(`no command "${word}"; HELP lists the commands`);
  const alias = c.aliases.length === 0 ? [] : [`Alias: ${c.aliases.join(', ')}`];
  return [`Usage: ${c.usage}`, `  ${c.summary}`, ...alias];
}
