import { readFileSync } from 'node:fs';
import { helpLines } from './commands.js';
import { HISTORY_FILE } from './history.js';
import { UsageError } from './errors.js';

export interface CliOptions {
  dataDir: string;
  /** Lines given with -c, run in order; empty when reading stdin. */
  commands: string[];
  help: boolean;
  version: boolean;
}

/** Parses the process arguments; throws UsageError for anything it does not know. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { dataDir: './data', commands: [], help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--data':
      case '-d': {
        const dir = value();
        if (dir === '') throw new UsageError('--data needs a directory');
        o.dataDir = dir;
        break;
      }
      case '-c':
      case '--command':
        // A -c string may hold several commands, one per line.
        o.commands.push(...value().split(/\r?\n/));
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      case '-v':
      case '--version':
        o.version = true;
        break;
      default:
        throw new UsageError(
          arg.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${arg}" (commands go after -c, or on stdin)`,
        );
    }
  }
  return o;
}

export function version(): string {
  // src/cli/options.ts and dist/cli/options.js both sit two levels below the engine's package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function usageText(): string {
  return [
    'Usage: lsm-cli [--data <dir>] [-c <command>]...',
    '',
    'The command-line shell for Strata collections.',
    '',
    'Options:',
    '  -d, --data <dir>     the data directory holding the collections (default: ./data)',
    '  -c, --command <cmd>  run the command and exit; repeat -c (or use newlines) for several',
    '  -h, --help           show this help and exit',
    '  -v, --version        print the version and exit',
    '',
    'On a terminal it starts the interactive shell: line editing, Tab completion,',
    `history in <dir>/${HISTORY_FILE}, paged SCAN output. Otherwise it runs the`,
    'commands on stdin, one per line, printing only their results. In script and -c',
    'mode the exit status is 1 if any command failed; every line still runs.',
    'In the shell, Ctrl-D, EXIT, or Ctrl-C at the prompt closes every collection and',
    'quits; Ctrl-C while a listing runs (SCAN, PREFIX, COUNT) stops just the listing.',
    '',
    ...helpLines(),
    '',
    'Examples:',
    '  lsm-cli --data ./data',
    "  printf 'USE users\\nGET user:1\\n' | lsm-cli --data ./data",
    '  lsm-cli -c "CREATE users" -c "USE users" -c "PUT user:1 Ada Lovelace"',
  ].join('\n');
}
