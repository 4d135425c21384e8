import type { Collection, StorageManager } from '../index.js';
import type { Args } from './command-args.js';
import type { Output } from './output.js';
import type { ArgReader } from './parse.js';

/** What only an interactive terminal offers: questions (DROP's confirmation, SCAN's pager) and a page height. */
export interface Terminal {
  /** Resolves with the answer, or undefined if the question was interrupted (Ctrl-C, Ctrl-D). */
  ask(question: string, signal: AbortSignal): Promise<string | undefined>;
  /** Lines per page of SCAN output, or undefined not to page. */
  pageRows(): number | undefined;
}

/** Everything a command may use. */
export interface Context {
  readonly manager: StorageManager;
  readonly out: Output;
  readonly terminal: Terminal | undefined;
  /** Aborted by Ctrl-C while the command runs: long listings stop at the next entry. */
  readonly signal: AbortSignal;
  /** The active collection; commands that declare needsCollection always have one. */
  collection(): Collection;
  /** Ends the session after this command (EXIT). */
  exit(): void;
}

/** One shell command as dispatch, HELP, --help and Tab completion see it (the table is in commands.ts). */
export interface Command {
  name: string;
  aliases: readonly string[];
  usage: string;
  summary: string;
  /** Refused with a clear error while no collection is active. */
  needsCollection: boolean;
  /** What Tab completes for the first argument. */
  completes?: 'collection' | 'command';
  run(ctx: Context, args: ArgReader): Promise<void>;
}

/** A command as the table declares it: aliases and needsCollection may be left out. */
export type Spec = Omit<Command, 'aliases' | 'needsCollection' | 'run'> & {
  aliases?: readonly string[];
  needsCollection?: boolean;
  run(ctx: Context, args: Args): Promise<void> | void;
};
