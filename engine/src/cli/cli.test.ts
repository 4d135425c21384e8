import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StorageManager } from '../index.js';
import { tempDir } from '../testing/temp-dir.js';
import { ArgReader, quoteArg, splitCommand } from './parse.js';
import { suggest } from './suggest.js';
import { complete } from './repl.js';
import { commandNames } from './commands.js';
import { formatBytes } from './format.js';

// The CLI runs from its TypeScript source through tsx, so the tests need no build.
const engineRoot = fileURLToPath(new URL('../..', import.meta.url));
const entry = join(engineRoot, 'src', 'cli.ts');
const tsx = import.meta.resolve('tsx');
const cliArgs = (args: string[]) => ['--import', tsx, entry, ...args];

interface Result {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs lsm-cli with `args`, feeding `stdin` through a pipe (so: script mode unless -c). */
function run(args: string[], stdin = '', cwd = engineRoot): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args), { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(stdin);
  });
}

/** Runs a script of lines in a fresh data directory (or `dir`). */
async function script(lines: string[], dir?: string): Promise<Result> {
  const d = dir ?? fresh();
  return run(['--data', d], lines.map((l) => `${l}\n`).join(''));
}

const lines = (text: string) => text.split('\n').slice(0, -1);

const cleanups: (() => void)[] = [];
after(() => cleanups.forEach((cleanup) => cleanup()));
/** A fresh data directory, removed when the tests end. */
function fresh(): string {
  const dir = tempDir('lsm-cli');
  cleanups.push(dir.cleanup);
  return dir.path;
}

describe('lsm-cli: the original commands', { concurrency: true }, () => {
  test('every command prints exactly what the original printed', async () => {
    const r = await script([
      'CREATE users',
      'USE users',
      'PUT user:1 Ada',
      'GET user:1',
      'GET user:2',
      'EXISTS user:1',
      'EXISTS user:2',
      'DELETE user:1',
      'GET user:1',
      'EXISTS user:1',
      'DELETE never-there',
      'ACTIVE',
      'LIST',
      'CLOSE users',
      'ACTIVE',
      'GET user:1',
    ]);
    assert.deepEqual(lines(r.stdout), [
      'OK',
      'Value: Ada',
      '(nil)',
      'True',
      'False',
      'OK',
      '(nil)',
      'False',
      'OK',
      'users',
      'users',
      '(none)',
      'Error: GET needs an active collection: run USE <name> first (LIST shows the collections)',
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
  });

  test('commands are case-insensitive; names and keys are not', async () => {
    const r = await script([
      'create Mixed',
      'Use Mixed',
      'pUt K upper',
      'put k lower',
      'get K',
      'Get k',
      'exists KK',
      'active',
      'list',
      'use mixed',
    ]);
    assert.deepEqual(lines(r.stdout), [
      'OK',
      'OK',
      'Value: upper',
      'Value: lower',
      'False',
      'Mixed',
      'Mixed',
      `Error: collection "mixed" does not exist in ${r.stdout.match(/in (\S+); names/)![1]}; names are case-sensitive: did you mean "Mixed"?`,
    ]);
  });

  test("PUT's value is the rest of the line, spaces, tabs and quotes kept exactly", async () => {
    const r = await script([
      'CREATE c',
      'USE c',
      'PUT k hello   big\tworld  ',
      'GET k',
      'PUT q "not unquoted" \\n stays',
      'GET q',
      'PUT   spaced    value after many spaces',
      'GET spaced',
    ]);
    assert.deepEqual(lines(r.stdout), [
      'OK',
      'Value: hello   big\tworld  ',
      'OK',
      'Value: "not unquoted" \\n stays',
      'OK',
      'Value: value after many spaces',
    ]);
    assert.equal(r.code, 0);
  });

  test('keys with spaces are given in double quotes (JSON escapes); unquoted keys are literal', async () => {
    const r = await script([
      'CREATE c',
      'USE c',
      'PUT "my key" my value',
      'GET "my key"',
      'EXISTS "my key"',
      'GET my',
      'PUT "tab\\tkey" tabbed',
      'GET "tab\\tkey"',
      'PUT it\'s"x raw key',
      'GET it\'s"x',
      'PUT "say \\"hi\\"" quoted',
      'GET "say \\"hi\\""',
      'SCAN',
      'DELETE "my key"',
      'EXISTS "my key"',
    ]);
    assert.deepEqual(lines(r.stdout), [
      'OK',
      'Value: my value',
      'True',
      '(nil)',
      'OK',
      'Value: tabbed',
      'OK',
      'Value: raw key',
      'OK',
      'Value: quoted',
      '"it\'s\\"x": raw key',
      '"my key": my value',
      '"say \\"hi\\"": quoted',
      '"tab\\tkey": tabbed',
      'OK',
      'False',
    ]);
  });

  test('unicode keys and values', async () => {
    const r = await script([
      'CREATE u',
      'USE u',
      'PUT clé café crème',
      'PUT 日本 東京 タワー',
      'PUT 🐘 emoji ✓',
      'GET clé',
      'GET 日本',
      'GET 🐘',
      'EXISTS "日本"',
      'SCAN',
      'PREFIX 日',
      'COUNT',
    ]);
    assert.deepEqual(lines(r.stdout), [
      'OK',
      'OK',
      'OK',
      'Value: café crème',
      'Value: 東京 タワー',
      'Value: emoji ✓',
      'True',
      'clé: café crème',
      '日本: 東京 タワー',
      '🐘: emoji ✓',
      '日本: 東京 タワー',
      '3',
    ]);
  });

  test('HELP lists every command from the table; EXIT stops the script', async () => {
    const r = await script(['HELP', 'HELP scan', 'EXIT', 'CREATE never']);
    const out = lines(r.stdout);
    assert.equal(out[0], 'Commands (case-insensitive):');
    for (const word of [
      'CREATE <name>',
      'USE <name>',
      'LIST',
      'ACTIVE',
      'CLOSE [<name>]',
      'PUT <key> <value…>',
      'GET <key>',
      'DELETE <key>',
      'EXISTS <key>',
      'SCAN [<from> [<to>]] [LIMIT n]',
      'PREFIX <prefix> [LIMIT n]',
      'COUNT [<prefix>]',
      'STATS',
      'FLUSH',
      'COMPACT',
      'DROP <name>',
      'REPAIR <name>',
      'HELP',
      'EXIT',
    ]) {
      assert.ok(
        out.some((l) => l.startsWith(`  ${word}`)),
        `HELP lists ${word}`,
      );
    }
    assert.ok(out.includes('Usage: SCAN [<from> [<to>]] [LIMIT n]'));
    assert.ok(out.includes('Alias: RANGE'));
    assert.equal(r.code, 0);
    assert.ok(!r.stdout.includes('never'));
  });

  test('CLOSE without a name closes the active collection', async () => {
    const r = await script(['CREATE a', 'USE a', 'CLOSE', 'ACTIVE', 'CLOSE', 'USE a', 'CLOSE nope']);
    assert.deepEqual(lines(r.stdout), [
      '(none)',
      'Error: no active collection to close; give a name. Usage: CLOSE [<name>]',
      `Error: collection "nope" does not exist in ${r.stdout.match(/in (\S+)\n$/)![1]}`,
    ]);
  });

  test('writes persist across runs, and the piped example works', async () => {
    const path = fresh();
    await run(['--data', path], 'CREATE a\nUSE a\nPUT k kept value\n');
    const r = await run(['--data', path], 'USE a\nGET k\n');
    assert.equal(r.stdout, 'Value: kept value\n');
    assert.equal(r.code, 0);
    const sh = spawnSync('sh', ['-c', `printf 'USE a\\nGET k\\n' | "${process.execPath}" --import "${tsx}" "${entry}" --data "${path}"`], {
      encoding: 'utf8',
    });
    assert.equal(sh.stdout, 'Value: kept value\n');
    assert.equal(sh.status, 0);
  });

  test('the default data directory is ./data', async () => {
    const path = fresh();
    await run([], 'CREATE d\n', path);
    assert.ok(existsSync(join(path, 'data', 'd')));
    assert.equal((await run(['-c', 'LIST'], '', path)).stdout, 'd\n');
  });

  test('CRLF scripts and comment lines', async () => {
    const path = fresh();
    const r = await run(['--data', path], '# set up\r\nCREATE a\r\nUSE a\r\n\r\n   # indented comment\r\nPUT k v w\r\nGET k\r\n');
    assert.equal(r.stdout, 'OK\nValue: v w\n');
    assert.equal(r.code, 0);
  });
});

describe('lsm-cli: new commands', { concurrency: true }, () => {
  const fill = [
    'CREATE c',
    'USE c',
    'PUT a 1',
    'PUT b 2',
    'PUT c 3',
    'PUT d 4',
    'PUT e 5',
    'PUT user:1 Ada',
    'PUT user:2 Grace',
    'PUT users x',
  ];
  const after = async (cmds: string[]) => {
    const r = await script([...fill, ...cmds]);
    return { ...r, out: lines(r.stdout).slice(fill.length - 2) };
  };

  test('SCAN is half-open [from, to) with LIMIT; RANGE is an alias', async () => {
    const r = await after([
      'SCAN b d',
      'RANGE b d',
      'range B D',
      'SCAN user:',
      'SCAN LIMIT 2',
      'scan c limit 1',
      'SCAN "" b',
      'SCAN x',
      'SCAN d b',
      'SCAN a b LIMIT 0',
    ]);
    assert.deepEqual(r.out, [
      'b: 2',
      'c: 3',
      'b: 2',
      'c: 3',
      '(empty)',
      'user:1: Ada',
      'user:2: Grace',
      'users: x',
      'a: 1',
      'b: 2',
      'c: 3',
      'a: 1',
      '(empty)',
      '(empty)',
      '(empty)',
    ]);
    assert.equal(r.code, 0);
  });

  test('PREFIX and COUNT', async () => {
    const r = await after(['PREFIX user:', 'PREFIX user LIMIT 2', 'PREFIX zz', 'COUNT', 'COUNT user:', 'COUNT zz', 'DELETE a', 'COUNT']);
    assert.deepEqual(r.out, ['user:1: Ada', 'user:2: Grace', 'user:1: Ada', 'user:2: Grace', '(empty)', '8', '2', '0', 'OK', '7']);
  });

  test('a quoted LIMIT is a key, not the keyword', async () => {
    const r = await script(['CREATE c', 'USE c', 'PUT LIMIT v', 'PUT M w', 'SCAN "LIMIT"', 'SCAN "LIMIT" LIMIT 1']);
    assert.deepEqual(lines(r.stdout), ['OK', 'OK', '"LIMIT": v', 'M: w', '"LIMIT": v']);
  });

  test('FLUSH, COMPACT and STATS as a table of levels', async () => {
    const r = await after(['STATS', 'FLUSH', 'STATS', 'COMPACT', 'STATS', 'COUNT', 'GET user:2']);
    const out = r.out.join('\n');
    const tables = out.split('Collection c: ').slice(1);
    assert.equal(tables.length, 3);
    // A level row: name, files, bytes, target, score, entries (bytes and target carry a unit).
    const level = (t: string, n: number) => {
      const row = t.split('\n').find((l) => l.startsWith(`L${n} `))!;
      const m = /^L(\d) +([\d,]+) +(\S+ \S+) +(\S+ \S+) +(\d+\.\d\d) +([\d,]+)$/.exec(row);
      assert.ok(m, `level row ${JSON.stringify(row)}`);
      return { files: Number(m[2]), entries: Number(m[6]!.replace(/,/g, '')) };
    };
    const header = (t: string) =>
      t
        .split('\n')
        .find((l) => l.startsWith('Level'))!
        .split(/\s+/);
    assert.deepEqual(header(tables[0]!), ['Level', 'Files', 'Bytes', 'Target', 'Score', 'Entries']);
    assert.equal(level(tables[0]!, 0).files, 0);
    assert.match(tables[0]!, /Memtable +\d+ B of 4\.0 MiB, 8 entries/);
    assert.match(tables[0]!, /Write amplification +0\.00x/);
    assert.ok(out.includes('\nOK\n'), 'FLUSH prints OK');
    assert.deepEqual(level(tables[1]!, 0), { files: 1, entries: 8 });
    assert.match(tables[1]!, /Write amplification +\d+\.\d\dx/);
    assert.match(tables[1]!, /by 1 flush\(es\)/);
    assert.equal(level(tables[2]!, 0).files, 0);
    const deeper = [1, 2, 3, 4, 5, 6].map((n) => level(tables[2]!, n).files);
    assert.equal(
      deeper.reduce((a, b) => a + b, 0),
      1,
      'COMPACT moved the table below L0',
    );
    assert.deepEqual(r.out.slice(-2), ['8', 'Value: Grace']);
    assert.equal(r.code, 0);
  });

  test('COMPACT with a range, and DROP without a terminal drops without asking', async () => {
    const r = await script(['CREATE a', 'CREATE b', 'USE a', 'PUT k v', 'COMPACT a z', 'DROP a', 'ACTIVE', 'LIST', 'DROP a', 'USE a']);
    const dir = r.stdout.match(/in (\S+)\n/)![1];
    assert.deepEqual(lines(r.stdout), [
      'OK',
      'OK',
      '(none)',
      'b',
      `Error: collection "a" does not exist in ${dir}`,
      `Error: collection "a" does not exist in ${dir}`,
    ]);
    assert.equal(r.code, 1);
  });
});

describe('lsm-cli: scripting and bad input', { concurrency: true }, () => {
  test('a failed command sets exit status 1 while later commands still run', async () => {
    const r = await script(['CREATE a', 'USE nope', 'USE a', 'PUT k v', 'GET k']);
    assert.deepEqual(lines(r.stdout), [`Error: collection "nope" does not exist in ${r.stdout.match(/in (\S+)\n/)![1]}`, 'OK', 'Value: v']);
    assert.equal(r.code, 1);
    assert.equal((await script(['CREATE a', 'LIST'])).code, 0);
  });

  test('unknown commands suggest the closest one', async () => {
    const r = await script(['GTE k', 'EXSITS k', 'scna', 'frobnicate', 'PU k v']);
    assert.deepEqual(lines(r.stdout), [
      'Error: unknown command "GTE"; did you mean GET? (HELP lists the commands)',
      'Error: unknown command "EXSITS"; did you mean EXISTS? (HELP lists the commands)',
      'Error: unknown command "scna"; did you mean SCAN? (HELP lists the commands)',
      'Error: unknown command "frobnicate"; type HELP for the list of commands',
      'Error: unknown command "PU"; did you mean PUT? (HELP lists the commands)',
    ]);
    assert.equal(r.code, 1);
  });

  test('missing and extra arguments print the usage line', async () => {
    const r = await script([
      'CREATE',
      'USE',
      'DROP',
      'CREATE a',
      'USE a',
      'PUT',
      'PUT k',
      'PUT k ',
      'GET',
      'DELETE',
      'EXISTS',
      'GET a b',
      'PREFIX',
      'SCAN a b c',
      'SCAN LIMIT',
      'SCAN LIMIT x',
      'SCAN LIMIT 1 2',
      'COUNT a b',
      'LIST x',
      'GET "unterminated',
      'GET "a"b',
      'GET "bad\\q"',
    ]);
    assert.deepEqual(lines(r.stdout), [
      'Error: missing <name>. Usage: CREATE <name>',
      'Error: missing <name>. Usage: USE <name>',
      'Error: missing <name>. Usage: DROP <name>',
      'Error: missing <key> and <value>. Usage: PUT <key> <value…>',
      'Error: missing <value> for key k. Usage: PUT <key> <value…>',
      'Error: missing <value> for key k. Usage: PUT <key> <value…>',
      'Error: missing <key>. Usage: GET <key>',
      'Error: missing <key>. Usage: DELETE <key>',
      'Error: missing <key>. Usage: EXISTS <key>',
      'Error: unexpected argument "b" (a key with spaces must be quoted, as in "my key"). Usage: GET <key>',
      'Error: missing <prefix>. Usage: PREFIX <prefix> [LIMIT n]',
      'Error: unexpected argument "c" (a key with spaces must be quoted, as in "my key"). Usage: SCAN [<from> [<to>]] [LIMIT n]',
      'Error: LIMIT needs a number. Usage: SCAN [<from> [<to>]] [LIMIT n]',
      'Error: LIMIT needs a whole number, got "x". Usage: SCAN [<from> [<to>]] [LIMIT n]',
      'Error: unexpected "2" after LIMIT 1. Usage: SCAN [<from> [<to>]] [LIMIT n]',
      'Error: unexpected argument "b" (a key with spaces must be quoted, as in "my key"). Usage: COUNT [<prefix>]',
      'Error: unexpected argument "x" (a key with spaces must be quoted, as in "my key"). Usage: LIST',
      'Error: unterminated quote in "unterminated; close it with "',
      'Error: unexpected text after closing quote: "a"b',
      'Error: bad escape in "bad\\q"; quoted arguments use JSON escapes (\\" \\\\ \\n \\t \\uXXXX)',
    ]);
    assert.equal(r.code, 1);
  });

  test('commands that need an active collection say so', async () => {
    const cmds = ['PUT k v', 'GET k', 'DELETE k', 'EXISTS k', 'SCAN', 'RANGE a b', 'PREFIX p', 'COUNT', 'STATS', 'FLUSH', 'COMPACT'];
    const r = await script(cmds);
    const names = ['PUT', 'GET', 'DELETE', 'EXISTS', 'SCAN', 'SCAN', 'PREFIX', 'COUNT', 'STATS', 'FLUSH', 'COMPACT'];
    assert.deepEqual(
      lines(r.stdout),
      names.map((n) => `Error: ${n} needs an active collection: run USE <name> first (LIST shows the collections)`),
    );
    assert.equal(r.code, 1);
  });

  test('invalid collection names and invalid keys are named in the error', async () => {
    const r = await script([
      'CREATE ../etc',
      'CREATE "a b"',
      'CREATE a/b',
      'USE .hidden',
      'CREATE ok',
      'CREATE ok',
      'USE ok',
      'GET ""',
      'PUT "" v',
    ]);
    assert.deepEqual(lines(r.stdout), [
      'Error: collection name "../etc" must not start with "."',
      'Error: collection name "a b" contains whitespace (U+0020); use only letters, digits, "_", "-" and "."',
      'Error: collection name "a/b" contains "/"; use only letters, digits, "_", "-" and "."',
      'Error: collection name ".hidden" must not start with "."',
      'Error: collection "ok" already exists',
      'Error: key must not be empty',
      'Error: key must not be empty',
    ]);
    assert.ok(!r.stdout.includes('    at '), 'no stack trace');
  });

  test('a collection locked by another process: the error names its pid', async () => {
    const path = fresh();
    const holder = new StorageManager({ baseDataPath: path });
    try {
      await holder.createCollection('held');
      await holder.useCollection('held');
      const r = await script(['USE held', 'DROP held', 'LIST'], path);
      const out = lines(r.stdout);
      assert.match(out[0]!, new RegExp(`^Error: collection "held" is locked by process ${process.pid} on `));
      assert.match(out[1]!, new RegExp(`^Error: collection "held" is locked by process ${process.pid} on `));
      assert.equal(out[2], 'held');
      assert.equal(r.code, 1);
      const c = await run(['--data', path, '-c', 'USE held']);
      assert.match(c.stdout, new RegExp(`process ${process.pid}`));
      assert.equal(c.code, 1);
    } finally {
      await holder.closeAll();
    }
  });

  test('SIGTERM while reading a script closes every collection, then exits with status 143', async () => {
    const path = fresh();
    await run(['--data', path], 'CREATE a\n');
    const child = spawn(process.execPath, cliArgs(['--data', path]), { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.write('USE a\nPUT k v\n'); // stdin stays open: the CLI waits for more
    for (let i = 0; !out.includes('OK'); i++) {
      assert.ok(i < 750, 'PUT answered');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(existsSync(join(path, 'a', 'LOCK')));
    child.kill('SIGTERM');
    assert.equal(await closed, 143);
    assert.ok(!existsSync(join(path, 'a', 'LOCK')), 'lock released');
    assert.equal((await run(['--data', path, '-c', 'USE a', '-c', 'GET k'])).stdout, 'Value: v\n');
  });

  // How fast is the benchmark's business (npm run bench); this checks that a long piped script runs every line, in order.
  test('a script of 10,000 PUTs through a pipe runs every line in order', async () => {
    const path = fresh();
    const puts = Array.from({ length: 10_000 }, (_, i) => `PUT key${String(i).padStart(5, '0')} value ${i} with spaces`);
    const r = await script(['CREATE big', 'USE big', ...puts, 'COUNT', 'GET key09999'], path);
    const out = lines(r.stdout);
    assert.equal(out.length, 10_002);
    assert.ok(out.slice(0, 10_000).every((l) => l === 'OK'));
    assert.deepEqual(out.slice(-2), ['10000', 'Value: value 9999 with spaces']);
    assert.equal(r.code, 0);
  });
});

describe('lsm-cli: options and -c', { concurrency: true }, () => {
  test('--help and --version', async () => {
    const version = (JSON.parse(readFileSync(join(engineRoot, 'package.json'), 'utf8')) as { version: string }).version;
    const v = await run(['--version']);
    assert.equal(v.stdout, `lsm-cli ${version}\n`);
    assert.equal(v.code, 0);
    const h = await run(['--help']);
    assert.match(h.stdout, /^Usage: lsm-cli \[--data <dir>\] \[-c <command>\]/);
    assert.match(h.stdout, /--data <dir>/);
    assert.match(h.stdout, / {2}SCAN \[<from> \[<to>\]\] \[LIMIT n\]/);
    assert.equal(h.code, 0);
  });

  test('unknown options exit with status 2 and a hint on stderr', async () => {
    const r = await run(['--bogus']);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'lsm-cli: unknown option --bogus\nTry lsm-cli --help\n');
    assert.equal(r.code, 2);
    const m = await run(['--data']);
    assert.equal(m.stderr, 'lsm-cli: --data needs a value\nTry lsm-cli --help\n');
    assert.equal(m.code, 2);
  });

  test('-c runs commands and exits with their status', async () => {
    const path = fresh();
    const a = await run(['--data', path, '-c', 'CREATE a']);
    assert.deepEqual([a.stdout, a.code], ['', 0]);
    const b = await run(['--data', path, '-c', 'USE a', '-c', 'PUT k v  w', '-c', 'GET k']);
    assert.deepEqual([b.stdout, b.code], ['OK\nValue: v  w\n', 0]);
    const c = await run(['--data', path, '-c', 'GET k']);
    assert.equal(c.code, 1);
    assert.match(c.stdout, /^Error: GET needs an active collection/);
    const d = await run([`--data=${path}`, '-c', 'USE a\nEXISTS k'], 'ignored stdin\n');
    assert.deepEqual([d.stdout, d.code], ['True\n', 0]);
  });
});

describe('lsm-cli: parts', () => {
  test('the tokenizer', () => {
    const words = (line: string) => new ArgReader(line).all().map((t) => t.text);
    assert.deepEqual(words('  a  "b c"  d"e  "" "\\u00e9\\\\"'), ['a', 'b c', 'd"e', '', 'é\\']);
    const r = new ArgReader(' "k 1"   rest  of   it  ');
    assert.deepEqual(r.next(), { text: 'k 1', quoted: true });
    assert.equal(r.rest(), 'rest  of   it  ');
    assert.equal(splitCommand('   '), undefined);
    assert.equal(splitCommand('# note'), undefined);
    assert.equal(splitCommand('\tget k')!.word, 'get');
  });

  test('quoteArg quotes only what would be ambiguous, and quoting round-trips', () => {
    for (const key of ['plain', 'user:1', 'é', 'with space', 'tab\t', 'q"', 'back\\slash', 'limit', '']) {
      const shown = quoteArg(key);
      assert.equal(new ArgReader(shown).next()!.text, key);
      assert.equal(shown === key, ['plain', 'user:1', 'é'].includes(key));
    }
  });

  test('suggestions', () => {
    const names = commandNames();
    assert.equal(suggest('gte', names), 'GET');
    assert.equal(suggest('DELET', names), 'DELETE');
    assert.equal(suggest('stat', names), 'STATS');
    assert.equal(suggest('xyzzy', names), undefined);
  });

  test('Tab completion of command words and collection names', async () => {
    const path = fresh();
    const m = new StorageManager({ baseDataPath: path });
    await m.createCollection('orders');
    await m.createCollection('other');
    await m.createCollection('users');
    assert.deepEqual(await complete('GE', m), [['GET '], 'GE']);
    assert.deepEqual(await complete('ge', m), [['get '], 'ge']);
    assert.deepEqual(await complete('  E', m), [['EXISTS', 'EXPORT', 'EXIT'], 'E']);
    assert.deepEqual(await complete('USE o', m), [['orders', 'other'], 'o']);
    assert.deepEqual(await complete('use u', m), [['users '], 'u']);
    assert.deepEqual(await complete('DROP ', m), [['orders', 'other', 'users'], '']);
    assert.deepEqual(await complete('repair u', m), [['users '], 'u']);
    assert.deepEqual(await complete('help sc', m), [['scan '], 'sc']);
    assert.deepEqual(await complete('GET u', m), [[], 'GET u']);
    assert.deepEqual(await complete('USE orders x', m), [[], 'USE orders x']);
    await m.closeAll();
  });

  test('formatBytes', () => {
    assert.deepEqual([0, 1023, 1536, 10 * 1024 * 1024].map(formatBytes), ['0 B', '1023 B', '1.5 KiB', '10.0 MiB']);
  });
});

// ---- the interactive shell, through a pseudo-terminal (util-linux `script`) ----

const hasScript = spawnSync('script', ['--version']).status === 0;

/** lsm-cli on a pseudo-terminal: send keystrokes, wait for text to appear. */
class Pty {
  private out = '';
  private pos = 0;
  readonly exited: Promise<number | null>;
  private readonly child;

  constructor(dataDir: string) {
    const command = [process.execPath, ...cliArgs(['--data', dataDir])].map((a) => `'${a}'`).join(' ');
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TERM: 'xterm' },
    });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  /** Waits until `text` appears after what was already matched; returns the output in between. */
  async expect(text: string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.out.indexOf(text, this.pos);
      if (at !== -1) {
        const seen = this.out.slice(this.pos, at + text.length);
        this.pos = at + text.length;
        return seen;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${JSON.stringify(text)}; output so far: ${JSON.stringify(this.out.slice(this.pos))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  send(keys: string): void {
    this.child.stdin.write(keys);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

describe('lsm-cli: interactive shell', { skip: hasScript ? false : 'util-linux script(1) is not installed', concurrency: true }, () => {
  test('prompt, Tab completion, paging, DROP confirmation, history, and Ctrl-D exits cleanly', async () => {
    const path = fresh();
    const pty = new Pty(path);
    try {
      assert.match(await pty.expect('DB> '), /Strata lsm-cli .*\r\nType HELP/);
      pty.send('CREATE shop\r');
      await pty.expect('DB> ');
      pty.send('US\t');
      await pty.expect('USE ');
      pty.send('sh\t');
      await pty.expect('shop');
      pty.send('\r');
      await pty.expect('DB [shop]> ');
      pty.send('PUT k hello  world\r');
      await pty.expect('OK');
      await pty.expect('DB [shop]> ');
      pty.send('get k\r');
      await pty.expect('Value: hello  world');
      await pty.expect('DB [shop]> ');
      pty.send('GTE k\r');
      await pty.expect('Error: unknown command "GTE"; did you mean GET?');
      await pty.expect('DB [shop]> ');
      // 60 keys on a terminal of (at most) 24 rows: SCAN pages, and q stops with a hint to continue.
      for (let i = 0; i < 60; i++) pty.send(`PUT p${String(i).padStart(2, '0')} v${i}\r`);
      await pty.expect('PUT p59 v59');
      await pty.expect('DB [shop]> ');
      pty.send('PREFIX p\r');
      await pty.expect('p00: v0');
      await pty.expect('more follow: Enter for more, q to stop -- ');
      pty.send('\r');
      await pty.expect('more follow: Enter for more, q to stop -- ');
      pty.send('q\r');
      assert.match(await pty.expect('DB [shop]> '), /\(stopped after \d+ keys; continue with: SCAN p\d\d q\)/);
      pty.send('SCAN\r');
      await pty.expect('more follow');
      pty.send('\x03'); // Ctrl-C at the pager stops the listing, not the shell
      assert.match(await pty.expect('DB [shop]> '), /\(stopped after \d+ keys; continue with: SCAN p\d\d\)/);
      pty.send('DROP shop\r');
      await pty.expect('Drop collection "shop" and delete all its data? [y/N] ');
      pty.send('n\r');
      await pty.expect('Not dropped.');
      await pty.expect('DB [shop]> ');
      pty.send('\x04'); // Ctrl-D
      assert.equal(await pty.exited, 0);
    } finally {
      pty.kill();
    }
    assert.ok(!existsSync(join(path, 'shop', 'LOCK')), 'the collection was closed (lock released)');
    const history = readFileSync(join(path, '.lsm-cli-history'), 'utf8').split('\n');
    assert.deepEqual(history.slice(0, 5), ['CREATE shop', 'USE shop ', 'PUT k hello  world', 'get k', 'GTE k']);
    assert.ok(history.includes('DROP shop'));
    assert.ok(!history.includes('n') && !history.includes('q'), 'answers to questions are not history');

    // A new session starts with that history: Up arrow recalls the last command.
    const again = new Pty(path);
    try {
      await again.expect('DB> ');
      again.send('\x1b[A');
      await again.expect('DROP shop');
      again.send('\x15EXIT\r'); // Ctrl-U clears the line
      assert.equal(await again.exited, 0);
    } finally {
      again.kill();
    }
  });

  test('REPAIR asks first: n leaves the collection as it is, y repairs it and prints the report', async () => {
    const path = fresh();
    const m = new StorageManager({ baseDataPath: path });
    await m.createCollection('shop');
    await (await m.useCollection('shop')).put('k', 'v');
    await m.closeAll();
    damageManifest(path, 'shop');
    const pty = new Pty(path);
    try {
      await pty.expect('DB> ');
      pty.send('REPAIR shop\r');
      await pty.expect('files it cannot use are moved to shop/lost/, not deleted. [y/N] ');
      pty.send('n\r');
      await pty.expect('Not repaired.');
      await pty.expect('DB> ');
      assert.ok(!existsSync(join(path, 'shop', 'lost')), 'nothing was touched');
      pty.send('REPAIR shop\r');
      await pty.expect('[y/N] ');
      pty.send('y\r');
      await pty.expect('Repaired collection shop');
      await pty.expect('DB> ');
      pty.send('USE shop\r');
      await pty.expect('DB [shop]> ');
      pty.send('GET k\r');
      await pty.expect('Value: v');
      pty.send('\x04');
      assert.equal(await pty.exited, 0);
    } finally {
      pty.kill();
    }
  });

  test('DROP asks first and drops on y; Ctrl-C at the prompt exits with status 0', async () => {
    const path = fresh();
    writeFileSync(join(path, '.lsm-cli-history'), '');
    const pty = new Pty(path);
    try {
      await pty.expect('DB> ');
      pty.send('CREATE gone\r');
      await pty.expect('DB> ');
      pty.send('USE gone\r');
      await pty.expect('DB [gone]> ');
      pty.send('DROP gone\r');
      await pty.expect('[y/N] ');
      pty.send('y\r');
      await pty.expect('DB> ');
      pty.send('LIST\r');
      await pty.expect('(none)');
      await pty.expect('DB> ');
      pty.send('\x03');
      assert.equal(await pty.exited, 0);
    } finally {
      pty.kill();
    }
    assert.ok(!existsSync(join(path, 'gone')));
  });
});

/** Flips a byte in the first record of collection `name`'s manifest: the next open fails with CORRUPTION. */
function damageManifest(dataDir: string, name: string): void {
  const dir = join(dataDir, name);
  const manifest = join(dir, readFileSync(join(dir, 'CURRENT'), 'utf8').trim());
  const data = readFileSync(manifest);
  data[20] ^= 0xff;
  writeFileSync(manifest, data);
}

describe('lsm-cli: REPAIR', { concurrency: true }, () => {
  test('a collection that no longer opens is repaired, with a report of what was kept and set aside, and opens again', async () => {
    const dir = fresh();
    await script(['CREATE shop', 'USE shop', 'PUT a 1', 'PUT b 2', 'FLUSH', 'PUT c 3'], dir);
    damageManifest(dir, 'shop');
    const broken = await script(['USE shop'], dir);
    assert.match(broken.stdout + broken.stderr, /Error: corruption in .*MANIFEST-\d+: bad record checksum at offset 0/);
    const r = await script(['REPAIR shop', 'USE shop', 'SCAN', 'STATS'], dir);
    const out = lines(r.stdout);
    assert.match(out[0], /^Repaired collection shop in \d+ ms: MANIFEST-\d+ lists 2 tables holding 3 entries, last sequence 3$/);
    assert.match(out[1], /^Old manifest: MANIFEST-\d+ damaged, 1 edit read \(corruption in .*bad record checksum at offset 0/);
    assert.ok(out.includes('Tables:'));
    assert.ok(
      out.some((l) => /^ {2}\d{6}\.sst {2}kept, 2 entries$/.test(l)),
      out.join('\n'),
    );
    assert.ok(
      out.some((l) => /^ {2}\d{6}\.log {2}converted, 1 record kept \(1 operation, sequences 3-3\) -> \d{6}\.sst$/.test(l)),
      out.join('\n'),
    );
    assert.ok(
      out.some((l) => /^ {2}MANIFEST-\d+ -> lost\/MANIFEST-\d+: damaged manifest/.test(l)),
      'the damaged manifest is set aside',
    );
    assert.ok(out.includes('a: 1') && out.includes('b: 2') && out.includes('c: 3'), 'every key reads back after repair');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readdirSync(join(dir, 'shop', 'lost')).filter((f) => f.startsWith('MANIFEST-')).length, 1);
  });

  test('REPAIR is refused for an open collection, and for one that does not exist', async () => {
    const r = await script(['CREATE shop', 'USE shop', 'REPAIR shop', 'REPAIR nope', 'REPAIR']);
    assert.deepEqual(
      lines(r.stdout).filter((l) => l.startsWith('Error')),
      [
        'Error: collection "shop" is open; close it before repairing it',
        `Error: collection "nope" does not exist in ${r.stdout.match(/does not exist in (\S+)/)![1]}`,
        'Error: missing <name>. Usage: REPAIR <name>',
      ],
    );
  });
});

describe('lsm-cli: EXPORT and IMPORT', { concurrency: true }, () => {
  test('round-trip a collection through every format, with a prefix and a range; a one-line summary off a terminal', async () => {
    const dir = fresh();
    const file = (name: string) => join(dir, name);
    const r = await script(
      [
        'CREATE src',
        'USE src',
        'PUT user:1 Ada, "the first"',
        'PUT user:2 Grace',
        'PUT "multi\\nline key" value',
        'PUT zeta last',
        `EXPORT ${file('all.ndjson')}`,
        `EXPORT ${file('users.csv')} PREFIX user:`,
        `EXPORT ${file('range.json')} FROM user:2 TO zeta`,
        `EXPORT ${file('all.txt')} --format csv`,
        `EXPORT ${file('users.csv')}`,
        'CREATE dst',
        'USE dst',
        `IMPORT ${file('all.ndjson')}`,
        'SCAN',
        'CREATE dst2',
        'USE dst2',
        `IMPORT ${file('users.csv')}`,
        `IMPORT ${file('range.json')}`,
        `IMPORT ${file('all.txt')} --format=csv`,
        'COUNT',
      ],
      dir,
    );
    assert.deepEqual(lines(r.stdout), [
      'OK',
      'OK',
      'OK',
      'OK',
      `Exported 4 entries (151 B) to ${file('all.ndjson')}`,
      `Exported 2 entries (51 B) to ${file('users.csv')}`,
      `Exported 1 entry (37 B) to ${file('range.json')}`,
      `Exported 4 entries (84 B) to ${file('all.txt')}`,
      `Error: ${file('users.csv')} already exists; add --force to replace it. Usage: EXPORT <file> [PREFIX p | FROM a TO b]`,
      `Imported 4 entries (151 B) from ${file('all.ndjson')}`,
      '"multi\\nline key": value',
      'user:1: Ada, "the first"',
      'user:2: Grace',
      'zeta: last',
      `Imported 2 entries (51 B) from ${file('users.csv')}`,
      `Imported 1 entry (37 B) from ${file('range.json')}`,
      `Imported 4 entries (84 B) from ${file('all.txt')}`,
      '4',
    ]);
    assert.equal(r.stderr, '', 'no progress bar off a terminal');
    assert.equal(readFileSync(file('users.csv'), 'utf8'), 'key,value\nuser:1,"Ada, ""the first"""\nuser:2,Grace\n');
  });

  test('IMPORT stops at a bad line by default, naming it; --skip-bad lists the bad lines and imports the rest', async () => {
    const dir = fresh();
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, '{"key":"a","value":"1"}\n{"key":"b"}\n{"key":"c","value":"3"}\nnope\n');
    const r = await script(
      [
        'CREATE t',
        'USE t',
        `IMPORT ${bad}`,
        'COUNT',
        `IMPORT ${bad} --skip-bad`,
        'COUNT',
        'IMPORT',
        `IMPORT ${bad} --bogus`,
        `EXPORT ${join(dir, 'x.ndjson')} PREFIX a FROM b`,
      ],
      dir,
    );
    assert.deepEqual(lines(r.stdout), [
      `Error: ${bad}: line 2: missing field "value" (1 record(s) imported before it); nothing after it was imported (add --skip-bad to skip bad records)`,
      '1',
      `Imported 2 entries (65 B) from ${bad}; skipped 2 bad record(s):`,
      '  line 2: missing field "value"',
      `  line 4: not valid JSON: ${r.stdout.match(/line 4: not valid JSON: (.*)\n/)![1]}`,
      '2',
      'Error: missing <file>. Usage: IMPORT <file> [--skip-bad]',
      'Error: unknown option --bogus. Usage: IMPORT <file> [--skip-bad]',
      'Error: give PREFIX or FROM/TO, not both. Usage: EXPORT <file> [PREFIX p | FROM a TO b]',
    ]);
    assert.equal(r.code, 1);
  });

  test('EXPORT and IMPORT need an active collection and appear in HELP', async () => {
    const r = await script(['EXPORT x.ndjson', 'HELP IMPORT']);
    assert.deepEqual(lines(r.stdout), [
      'Error: EXPORT needs an active collection: run USE <name> first (LIST shows the collections)',
      'Usage: IMPORT <file> [--skip-bad]',
      '  load a file (formats as EXPORT) in atomic batches; --skip-bad skips bad records',
    ]);
  });
});
