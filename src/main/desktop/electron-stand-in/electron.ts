// A stand-in for the `electron` module of the main process, for running the
// built main (out/main/index.js) under plain Node where no Electron binary
// exists. It keeps Electron's rules that a typo or a wrong order would break
// (what must happen before or after 'ready', one handler per channel, a page
// loads only through a registered protocol, a sandboxed preload gets only the
// sandbox's require) and records what main does, for a test to read.
// See doc/electron-security.md for what it proves and what it does not.
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RendererWorld } from './renderer';
import { StandInUtilityProcess, type ForkOptions } from './utility-process';

// Handlers are main's, of many shapes; the stand-in passes them what Electron would.
type AnyHandler = (...args: any[]) => any;

export interface StandInConfig {
  /** Every app.getPath() answer lives under this folder (a temp dir: never the real home). */
  pathsRoot: string;
  version: string;
}

/** Electron's Event: listeners may call preventDefault. Extra fields per event. */
export class StandInEvent {
  defaultPrevented = false;
  constructor(fields: Record<string, unknown> = {}) {
    Object.assign(this, fields);
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
  settled: boolean;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const d: Deferred<T> = {
    promise: new Promise<T>((res, rej) => ((resolve = res), (reject = rej))),
    resolve: (value) => {
      d.settled = true;
      resolve(value);
    },
    reject: (err) => {
      d.settled = true;
      reject(err);
    },
    settled: false,
  };
  // Nobody may be waiting yet; the rejection is read when someone does.
  d.promise.catch(() => {});
  return d;
}

// --- recorded state --------------------------------------------------------

const state = {
  config: undefined as StandInConfig | undefined,
  ready: false,
  readyDeferred: deferred<void>(),
  quitDeferred: deferred<number>(),
  pageDeferred: deferred<StandInWebContents>(),
  privilegedSchemes: [] as { scheme: string; privileges: Record<string, unknown>; beforeReady: boolean }[],
  errorBoxes: [] as { title: string; content: string }[],
  openedExternally: [] as string[],
  dialogs: [] as { kind: string; options: unknown }[],
  windows: [] as StandInBrowserWindow[],
  utilityProcesses: [] as StandInUtilityProcess[],
  sessions: new Map<string, StandInSession>(),
};

function config(): StandInConfig {
  if (!state.config) throw new Error('electron stand-in: call standIn.configure() before loading main');
  return state.config;
}

function requireReady(what: string): void {
  if (!state.ready) throw new Error(`${what} cannot be used before the app is ready`);
}

// --- sessions and protocols ----------------------------------------------

export class StandInProtocol {
  readonly handlers = new Map<string, AnyHandler>();

  handle(scheme: string, handler: AnyHandler): void {
    requireReady('protocol.handle');
    if (this.handlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
    this.handlers.set(scheme, handler);
  }
  unhandle(scheme: string): void {
    this.handlers.delete(scheme);
  }
  isProtocolHandled(scheme: string): boolean {
    return this.handlers.has(scheme);
  }
}

export class StandInSession extends EventEmitter {
  readonly protocol = new StandInProtocol();
  permissionRequestHandler: AnyHandler | null = null;
  permissionCheckHandler: AnyHandler | null = null;
  devicePermissionHandler: AnyHandler | null = null;

  constructor(readonly partition: string) {
    super();
  }
  setPermissionRequestHandler(handler: AnyHandler | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: AnyHandler | null): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: AnyHandler | null): void {
    this.devicePermissionHandler = handler;
  }

  /** What Chromium does to fetch a document: through this session's handler for the URL's scheme. */
  async fetchDocument(url: string): Promise<Response> {
    if (!URL.canParse(url)) throw new Error(`ERR_INVALID_URL (-300) loading '${url}'`);
    const scheme = new URL(url).protocol.slice(0, -1);
    const handler = this.protocol.handlers.get(scheme);
    if (handler) return (await handler(new Request(url))) as Response;
    if (scheme === 'http' || scheme === 'https') return fetch(url);
    if (scheme === 'file') return new Response(readFileSync(fileURLToPath(url)), { headers: { 'Content-Type': 'text/html' } });
    throw new Error(`ERR_UNKNOWN_URL_SCHEME (-302) loading '${url}': no handler for ${scheme}: on this session`);
  }
}

function sessionFor(partition: string): StandInSession {
  requireReady('session');
  let found = state.sessions.get(partition);
  if (!found) state.sessions.set(partition, (found = new StandInSession(partition)));
  return found;
}

export const session = {
  get defaultSession(): StandInSession {
    return sessionFor('');
  },
  fromPartition(partition: string): StandInSession {
    return sessionFor(partition);
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, unknown> }[]): void {
    // Electron ignores (and warns about) a registration after ready; here it is an error, so a test sees it.
    if (state.ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    for (const { scheme, privileges } of schemes)
      state.privilegedSchemes.push({ scheme, privileges: { ...privileges }, beforeReady: true });
  },
  handle(scheme: string, handler: AnyHandler): void {
    session.defaultSession.protocol.handle(scheme, handler);
  },
  unhandle(scheme: string): void {
    session.defaultSession.protocol.unhandle(scheme);
  },
  isProtocolHandled(scheme: string): boolean {
    return session.defaultSession.protocol.isProtocolHandled(scheme);
  },
};

// --- frames, webContents, windows ------------------------------------------

let nextId = 1;

export class StandInFrame {
  readonly routingId = nextId++;
  readonly processId: number;
  constructor(
    public url: string,
    readonly parent: StandInFrame | null,
    processId?: number,
  ) {
    this.processId = processId ?? parent?.processId ?? nextId++;
  }
  get top(): StandInFrame {
    return this.parent ? this.parent.top : this;
  }
}

export class StandInWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = new StandInFrame('', null);
  windowOpenHandler: AnyHandler | undefined;
  world: RendererWorld | undefined;
  private destroyed = false;

  constructor(
    readonly session: StandInSession,
    readonly webPreferences: Record<string, unknown>,
    private readonly onLoaded: () => void = () => {},
  ) {
    super();
  }

  setWindowOpenHandler(handler: AnyHandler): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
  getURL(): string {
    return this.mainFrame.url;
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.world?.deliver(channel, args);
  }

  /** Loads a page: the document through the session's protocol handler, then the preload, then did-finish-load. */
  async loadURL(url: string): Promise<void> {
    try {
      const response = await this.session.fetchDocument(url);
      const type = response.headers.get('content-type') ?? '';
      if (response.status !== 200) throw new Error(`ERR_HTTP_RESPONSE_CODE_FAILURE (-379) loading '${url}': ${response.status}`);
      if (!type.startsWith('text/html')) throw new Error(`loading '${url}': the document came as ${JSON.stringify(type)}, not text/html`);
      this.mainFrame.url = url;
      const preload = this.webPreferences['preload'];
      if (typeof preload === 'string') {
        this.world = new RendererWorld({
          contextIsolation: this.webPreferences['contextIsolation'] !== false,
          invoke: (channel, args) => this.invokeFromFrame(this.mainFrame, channel, args),
        });
        this.world.runPreload(preload, this.webPreferences['sandbox'] === true);
      }
    } catch (err) {
      this.emit('did-fail-load', new StandInEvent(), -2, (err as Error).message, url, true);
      if (!state.pageDeferred.settled) state.pageDeferred.reject(err as Error);
      throw err;
    }
    this.emit('did-finish-load', new StandInEvent());
    this.onLoaded();
    if (!state.pageDeferred.settled) state.pageDeferred.resolve(this);
  }

  /** ipcRenderer.invoke from one of this webContents' frames, as Electron delivers it to ipcMain.handle. */
  invokeFromFrame(frame: StandInFrame | null, channel: string, args: unknown[]): Promise<unknown> {
    const event = new StandInEvent({
      sender: this,
      senderFrame: frame,
      frameId: frame?.routingId ?? -1,
      processId: frame?.processId ?? -1,
      type: 'frame',
    });
    return ipcMain.invoke(event, channel, args);
  }
}

export class StandInBrowserWindow extends EventEmitter {
  static getAllWindows(): StandInBrowserWindow[] {
    return state.windows.filter((w) => !w.isDestroyed());
  }

  readonly webContents: StandInWebContents;
  visible = false;
  private destroyed = false;

  constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown> = {}) {
    super();
    requireReady('BrowserWindow');
    const prefs: Record<string, unknown> = options['webPreferences'] ?? {};
    const ses =
      (prefs['session'] as StandInSession | undefined) ??
      (typeof prefs['partition'] === 'string' ? session.fromPartition(prefs['partition']) : session.defaultSession);
    this.webContents = new StandInWebContents(ses, prefs, () => this.emit('ready-to-show', new StandInEvent()));
    state.windows.push(this);
    app.emit('web-contents-created', new StandInEvent(), this.webContents);
    app.emit('browser-window-created', new StandInEvent(), this);
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  loadFile(path: string): Promise<void> {
    return this.webContents.loadURL(pathToFileURL(path).href);
  }
  show(): void {
    this.visible = true;
    this.emit('show');
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroy();
    this.emit('closed');
  }
  close(): void {
    const event = new StandInEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
}
export { StandInBrowserWindow as BrowserWindow };

// --- app -------------------------------------------------------------------

const PATH_NAMES = new Set([
  'home',
  'appData',
  'userData',
  'sessionData',
  'temp',
  'exe',
  'module',
  'desktop',
  'documents',
  'downloads',
  'music',
  'pictures',
  'videos',
  'recent',
  'logs',
  'crashDumps',
]);

class StandInApp extends EventEmitter {
  readonly isPackaged = false;

  whenReady(): Promise<void> {
    return state.readyDeferred.promise;
  }
  isReady(): boolean {
    return state.ready;
  }
  getName(): string {
    return 'Strata';
  }
  getVersion(): string {
    return config().version;
  }
  getPath(name: string): string {
    if (!PATH_NAMES.has(name)) throw new Error(`Failed to get '${name}' path`);
    const dir = join(config().pathsRoot, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  /** Electron's order: before-quit (may be prevented), windows close, will-quit (may be prevented), quit. */
  quit(): void {
    const before = new StandInEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    for (const window of [...state.windows]) window.destroy();
    const will = new StandInEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    this.emit('quit', new StandInEvent(), 0);
    state.quitDeferred.resolve(0);
  }
  exit(code = 0): void {
    for (const window of [...state.windows]) window.destroy();
    state.quitDeferred.resolve(code);
  }
}

export const app = new StandInApp();

// --- ipcMain ---------------------------------------------------------------

class StandInIpcMain extends EventEmitter {
  readonly handlers = new Map<string, AnyHandler>();

  handle(channel: string, handler: AnyHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  handleOnce(channel: string, handler: AnyHandler): void {
    this.handle(channel, (...args: unknown[]) => {
      this.removeHandler(channel);
      return handler(...args);
    });
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** One invoke as Electron runs it: arguments and result structured-cloned, a throw becomes a rejection. */
  async invoke(event: StandInEvent, channel: string, args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    try {
      return structuredClone(await handler(event, ...args.map((arg) => structuredClone(arg))));
    } catch (err) {
      throw new Error(`Error invoking remote method '${channel}': ${String(err)}`, { cause: err });
    }
  }
}

export const ipcMain = new StandInIpcMain();

// --- dialog and shell --------------------------------------------------------

/** Answers for the next dialogs, by kind; a dialog without one is cancelled. */
const dialogAnswers = new Map<string, unknown[]>();

function answer<T>(kind: string, options: unknown, fallback: T): T {
  state.dialogs.push({ kind, options });
  const queued = dialogAnswers.get(kind);
  return queued && queued.length > 0 ? (queued.shift() as T) : fallback;
}

/** Electron's dialog functions take an optional window first. */
function optionsOf(args: unknown[]): unknown {
  return args.length > 1 ? args[1] : args[0];
}

export const dialog = {
  showOpenDialog: async (...args: unknown[]) => answer('open', optionsOf(args), { canceled: true, filePaths: [] as string[] }),
  showSaveDialog: async (...args: unknown[]) => answer('save', optionsOf(args), { canceled: true, filePath: '' }),
  showMessageBoxSync: (...args: unknown[]) => {
    const options = optionsOf(args) as { cancelId?: number };
    return answer('message-box', options, options.cancelId ?? 0);
  },
  showErrorBox(title: string, content: string): void {
    state.errorBoxes.push({ title, content });
    if (!state.pageDeferred.settled) state.pageDeferred.reject(new Error(`main showed an error box: ${title}: ${content}`));
  },
};

export const shell = {
  async openExternal(url: string): Promise<void> {
    state.openedExternally.push(url);
  },
};

// --- utilityProcess ----------------------------------------------------------

export const utilityProcess = {
  fork(modulePath: string, args: string[] = [], options: ForkOptions = {}): StandInUtilityProcess {
    requireReady('utilityProcess');
    const child = new StandInUtilityProcess(modulePath, args, options);
    state.utilityProcesses.push(child);
    return child;
  },
};

// --- the test's side -------------------------------------------------------

export const standIn = {
  configure(next: StandInConfig): void {
    state.config = next;
  },
  /** Emits 'ready' and resolves whenReady(), as Electron does once Chromium is up. */
  emitReady(): void {
    state.ready = true;
    // Electron's process lives until the app quits, whatever main holds open; so does this one.
    const alive = setInterval(() => {}, 1 << 30);
    void state.quitDeferred.promise.finally(() => clearInterval(alive));
    app.emit('ready', new StandInEvent(), {});
    state.readyDeferred.resolve();
  },
  /** The first page any window loaded; rejects if it failed to load or main showed an error box first. */
  firstPageLoaded: (): Promise<StandInWebContents> => state.pageDeferred.promise,
  /** Resolves with the exit code once the app quit or exited. */
  quitted: (): Promise<number> => state.quitDeferred.promise,
  get isReady(): boolean {
    return state.ready;
  },
  get hasQuit(): boolean {
    return state.quitDeferred.settled;
  },
  answerNextDialog(kind: 'open' | 'save' | 'message-box', value: unknown): void {
    dialogAnswers.set(kind, [...(dialogAnswers.get(kind) ?? []), value]);
  },
  /** A webContents that is not the app's window, for calls from a stranger. */
  foreignWebContents(url: string): StandInWebContents {
    const contents = new StandInWebContents(session.defaultSession, {});
    contents.mainFrame.url = url;
    return contents;
  },
  get privilegedSchemes() {
    return state.privilegedSchemes;
  },
  get errorBoxes() {
    return state.errorBoxes;
  },
  get openedExternally() {
    return state.openedExternally;
  },
  get dialogs() {
    return state.dialogs;
  },
  get windows() {
    return state.windows;
  },
  get utilityProcesses() {
    return state.utilityProcesses;
  },
  get sessions() {
    return state.sessions;
  },
};
