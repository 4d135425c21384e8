import { parseArgs, usageText, version, type CliOptions } from './options.js';
import { describeError } from './errors.js';
import { Output } from './output.js';
import { runRepl } from './repl.js';
import { runScript } from './script.js';
import { Session } from './session.js';

/** Runs lsm-cli with the given arguments; resolves with the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`lsm-cli: ${describeError(err)}\nTry lsm-cli --help\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${usageText()}\n`);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`lsm-cli ${version()}\n`);
    return 0;
  }
  const interactive = options.commands.length === 0 && process.stdin.isTTY === true;
  let session: Session | undefined;
  let stopping = false;
  /** Closes every collection, then exits: on a signal, or when stdout goes away. */
  const stop = (status: number) => {
    if (stopping) return;
    stopping = true;
    void (session?.close() ?? Promise.resolve()).finally(() => process.exit(status));
  };
  const stopOnSignal = (signal: NodeJS.Signals, status: number) => process.once(signal, () => stop(status));
  // A reader that went away (lsm-cli -c SCAN | head) is not an error; other output failures end the run.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => stop(err.code === 'EPIPE' ? 0 : 1));
  stopOnSignal('SIGTERM', 143);
  stopOnSignal('SIGHUP', 129);
  stopOnSignal('SIGINT', 130); // in the shell, Ctrl-C reaches readline instead (raw mode)

  session = new Session(options.dataDir, new Output((text) => process.stdout.write(text)));
  if (interactive) {
    await runRepl(session, {
      input: process.stdin,
      output: process.stdout,
      terminal: process.stdout.isTTY === true,
      banner: `Strata lsm-cli ${version()}, data directory ${options.dataDir}\nType HELP for the commands; EXIT or Ctrl-D quits.`,
    });
    // Failed commands do not change the shell's exit status; only a failure to close does.
    return (await session.close()) ? 0 : 1;
  }
  if (options.commands.length > 0) {
    for (const line of options.commands) {
      await session.execute(line);
      if (session.exitRequested) break;
    }
  } else {
    await runScript(session, process.stdin);
  }
  await session.close();
  return session.failed ? 1 : 0;
}
