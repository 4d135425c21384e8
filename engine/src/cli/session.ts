import { StorageManager } from '../index.js';
import type { Command, Context, Terminal } from './command.js';
import { findCommand, commandNames } from './commands.js';
import { describeError, UsageError } from './errors.js';
import type { Output } from './output.js';
import { splitCommand } from './parse.js';
import { suggest } from './suggest.js';

/**
 * One shell session over a data directory: runs command lines, remembers
 * whether any failed, and closes every collection at the end.
 */
export class Session {
  readonly manager: StorageManager;
  /** True once any command has failed (script mode then exits with status 1). */
  failed = false;
  exitRequested = false;

  constructor(
    readonly dataDir: string,
    private readonly out: Output,
    /** Set by the interactive shell; undefined in script and -c mode. */
    public terminal?: Terminal,
  ) {
    this.manager = new StorageManager({ baseDataPath: dataDir });
  }

  prompt(): string {
    const active = this.manager.getActiveCollection();
    return active === undefined ? 'DB> ' : `DB [${active.name}]> `;
  }

  /** Runs one line; prints its output or `Error: …`. Returns false if the command failed. */
  async execute(line: string, signal: AbortSignal = new AbortController().signal): Promise<boolean> {
    try {
      const parsed = splitCommand(line);
      if (parsed === undefined) return true;
      const command = findCommand(parsed.word);
      if (command === undefined) throw unknownCommand(parsed.word);
      await command.run(this.context(command, signal), parsed.args);
      return true;
    } catch (err) {
      this.failed = true;
      this.out.line(`Error: ${describeError(err)}`);
      return false;
    } finally {
      this.out.flush();
    }
  }

  private closing: Promise<boolean> | undefined;

  /** Closes every open collection (waiting for their writes and flushes). Safe to call more than once. */
  close(): Promise<boolean> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<boolean> {
    try {
      await this.manager.closeAll();
      return true;
    } catch (err) {
      this.failed = true;
      this.out.line(`Error: closing collections failed: ${describeError(err)}`);
      return false;
    } finally {
      this.out.flush();
    }
  }

  private context(command: Command, signal: AbortSignal): Context {
    const manager = this.manager;
    const active = manager.getActiveCollection();
    if (command.needsCollection && active === undefined) {
      throw new UsageError(`${command.name} needs an active collection: run USE <name> first (LIST shows the collections)`);
    }
    const out = this.out;
    const t = this.terminal;
    const terminal = t && {
      ask: (question: string, s: AbortSignal) => {
        out.flush();
        return t.ask(question, s);
      },
      pageRows: () => t.pageRows(),
    };
    return {
      manager,
      out,
      terminal,
      signal,
      collection: () => {
        const c = manager.getActiveCollection();
        if (c === undefined) throw new UsageError(`${command.name} needs an active collection: run USE <name> first`);
        return c;
      },
      exit: () => {
        this.exitRequested = true;
      },
    };
  }
}

function unknownCommand(word: string): UsageError {
  const close = suggest(word, commandNames());
  const hint = close === undefined ? 'type HELP for the list of commands' : `did you mean ${close}? (HELP lists the commands)`;
  return new UsageError(`unknown command "${word}"; ${hint}`);
}
