// Launching the built main under the stand-in, for the tests that do it
// (one launch per test file: main is a module and runs once per process).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StrataApi } from '../../../shared/ipc/contract';
import type { PushEvent } from '../../../shared/ipc/types';
import type { Envelope } from '../../../shared/ipc/wire';
import { app, standIn, type StandInWebContents } from './electron';
import { importBuiltMain } from './load-main';

export const root = fileURLToPath(new URL('../../../..', import.meta.url));
export const out = join(root, 'out');
export const mainFile = join(out, 'main', 'index.js');
export const preloadFile = join(out, 'preload', 'index.cjs');
export const rendererDir = join(out, 'renderer');

/** The page's `window.strata`, as the preload exposes it. */
export type PageApi = { [K in keyof StrataApi]: (args?: unknown) => Promise<Envelope> } & {
  subscribe(listener: (event: PushEvent) => void): () => void;
};

const rel = (path: string): string => relative(root, path);

/** The sources the build is made from; the stand-in and the tests are not part of it. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'electron-stand-in' ? [] : sourceFiles(path);
    return entry.name.endsWith('.test.ts') ? [] : [path];
  });
}

/** Throws (a test then fails, never skips) when there is no build, or when it is older than its sources. */
export function checkBuild(): void {
  const built = [mainFile, preloadFile, join(rendererDir, 'index.html')];
  const missing = built.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `the built app is missing (${missing.map(rel).join(', ')}): run \`npm run build\` first (\`npm test\` builds before the app tests)`,
    );
  }
  const builtAt = Math.min(...built.map((file) => statSync(file).mtimeMs));
  const sources = ['main', 'preload', 'shared', 'renderer'].flatMap((dir) => sourceFiles(join(root, 'src', dir)));
  const newer = sources.find((file) => statSync(file).mtimeMs > builtAt);
  if (newer) throw new Error(`the build is older than ${rel(newer)}: run \`npm run build\` so this test runs the code as it is now`);
}

export interface Launched {
  temp: string;
  contents: StandInWebContents;
  api: PageApi;
  /** The next (or an already seen) push the page received that passes `test`. */
  push(test: (event: PushEvent) => boolean): Promise<PushEvent>;
  /** Quits the app if a test has not (so its service closes before its folder goes), stops stray workers, removes the temp dir. */
  close(): Promise<void>;
}

/**
 * Runs the built main against the stand-in: paths, HOME and the config
 * folders in a temp dir, `env` on top of the environment (undefined removes a
 * variable), then 'ready', then waits for the window's page and its preload.
 */
export async function launchBuiltMain(env: Record<string, string | undefined>): Promise<Launched> {
  checkBuild();
  const temp = mkdtempSync(join(tmpdir(), 'strata-main-'));
  const savedEnv = { ...process.env };
  for (const name of ['HOME', 'XDG_CONFIG_HOME', 'APPDATA']) {
    process.env[name] = join(temp, name.toLowerCase());
    mkdirSync(process.env[name]!, { recursive: true });
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  standIn.configure({ pathsRoot: join(temp, 'paths'), version });
  const close = async (): Promise<void> => {
    if (standIn.isReady && !standIn.hasQuit) {
      app.quit();
      await standIn.quitted();
    }
    for (const worker of standIn.utilityProcesses) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.kill();
    await Promise.all(standIn.utilityProcesses.map((worker) => worker.exited));
    process.env = savedEnv;
    rmSync(temp, { recursive: true, force: true });
  };
  let contents: StandInWebContents;
  let api: PageApi | undefined;
  try {
    await importBuiltMain(mainFile, join(out, 'main'), new URL('./electron.ts', import.meta.url).href);
    standIn.emitReady();
    contents = await standIn.firstPageLoaded();
    api = contents.world?.mainWorld['strata'] as PageApi | undefined;
    if (!api) throw new Error('the preload exposed no `strata` API to the page');
  } catch (err) {
    // A start that failed must not leave the app (and the process) running.
    await close();
    throw err;
  }

  const pushes: PushEvent[] = [];
  const waiters: { test: (event: PushEvent) => boolean; resolve: (event: PushEvent) => void }[] = [];
  api.subscribe((event) => {
    pushes.push(event);
    for (const waiter of waiters.filter((w) => w.test(event))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });
  return {
    temp,
    contents,
    api,
    push(test) {
      const seen = pushes.find(test);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ test, resolve }));
    },
    close,
  };
}
