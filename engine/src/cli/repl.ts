import { createInterface, type Interface } from 'node:readline';
import { commandNames, findCommand } from './commands.js';
import { historyPath, HISTORY_SIZE, loadHistory, saveHistory } from './history.js';
import type { Session } from './session.js';
import type { StorageManager } from '../index.js';

export interface ReplOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { isTTY?: boolean; rows?: number };
  /** Raw-mode line editing; true on a real terminal. */
  terminal: boolean;
  banner: string;
}

/**
 * The interactive shell: readline line editing, history in the data
 * directory, Tab completion, paging, DROP confirmation. Ctrl-D, EXIT, or
 * Ctrl-C at the prompt end it; Ctrl-C while a command runs stops that command.
 * The caller closes the session's collections afterwards.
 * Commands' output goes through the session's Output, which must write to `output`.
 */
export async function runRepl(session: Session, o: ReplOptions): Promise<void> {
  const history = historyPath(session.dataDir);
  let rl: Interface | undefined;
  let closed = false;
  let running: AbortController | undefined;

  session.terminal = {
    ask: (question, signal) =>
      new Promise((resolve) => {
        if (closed || signal.aborted || rl === undefined) return resolve(undefined);
        const cancel = () => {
          o.output.write('\n');
          resolve(undefined);
        };
        signal.addEventListener('abort', cancel, { once: true });
        rl.question(question, { signal }, (answer) => {
          signal.removeEventListener('abort', cancel);
          const h = (rl as unknown as { history: string[] }).history;
          if (h[0] === answer) h.shift(); // answers to questions are not commands: keep them out of history
          resolve(answer);
        });
      }),
    pageRows: () => (o.output.isTTY ? Math.max(5, (o.output.rows || 24) - 2) : undefined),
  };

  rl = createInterface({
    input: o.input,
    output: o.output,
    terminal: o.terminal,
    history: loadHistory(history),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string, done: (err: Error | null, result: [string[], string]) => void) => {
      complete(line, session.manager).then(
        (r) => done(null, r),
        () => done(null, [[], line]),
      );
    },
  });

  let historyWarned = false;
  const persistHistory = () => {
    try {
      saveHistory(history, session.dataDir, (rl as unknown as { history: string[] }).history);
    } catch (err) {
      if (!historyWarned) o.output.write(`(history not saved to ${history}: ${(err as Error).message})\n`);
      historyWarned = true;
    }
  };

  const queue: string[] = [];
  let wake: (() => void) | undefined;
  rl.on('line', (line) => {
    queue.push(line);
    wake?.();
  });
  rl.on('close', () => {
    closed = true;
    running?.abort();
    wake?.();
  });
  rl.on('SIGINT', () => {
    if (running !== undefined) running.abort();
    else {
      o.output.write('^C');
      rl!.close();
    }
  });

  o.output.write(`${o.banner}\n`);
  rl.setPrompt(session.prompt());
  rl.prompt();
  for (;;) {
    const line = queue.shift();
    if (line === undefined) {
      if (closed) {
        o.output.write('\n'); // Ctrl-D / Ctrl-C left the cursor after the prompt
        break;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    running = new AbortController();
    await session.execute(line, running.signal);
    running = undefined;
    if (line.trim() !== '') persistHistory();
    if (session.exitRequested || closed) break;
    rl.setPrompt(session.prompt());
    rl.prompt();
  }
  rl.close();
}

/** Tab completion: command words first, then collection names (USE, CLOSE, DROP) or command words (HELP). */
export async function complete(line: string, manager: StorageManager): Promise<[string[], string]> {
  const first = /^\s*(\S*)$/.exec(line);
  if (first !== null) return [matches(first[1]!, commandNames(), true), first[1]!];
  const arg = /^\s*(\S+)\s+(\S*)$/.exec(line);
  const command = arg === null ? undefined : findCommand(arg[1]!);
  if (arg === null || command?.completes === undefined) return [[], line];
  const typed = arg[2]!;
  if (command.completes === 'command') return [matches(typed, commandNames(), true), typed];
  return [matches(typed, await manager.listCollections(), false), typed];
}

/** Candidates starting with `typed`; command words follow the case being typed. One match gets a trailing space. */
function matches(typed: string, candidates: string[], commandWords: boolean): string[] {
  const lower = commandWords && typed !== typed.toUpperCase();
  const hits = candidates
    .filter((c) => (commandWords ? c.startsWith(typed.toUpperCase()) : c.startsWith(typed)))
    .map((c) => (lower ? c.toLowerCase() : c));
  return hits.length === 1 ? [`${hits[0]} `] : hits;
}
