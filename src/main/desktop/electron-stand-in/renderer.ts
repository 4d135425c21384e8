import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as timers from 'node:timers';
import * as url from 'node:url';
import vm from 'node:vm';

/** What a page's preload reaches of the main process. */
export interface RendererHost {
  invoke(channel: string, args: unknown[]): Promise<unknown>;
  contextIsolation: boolean;
}

/**
 * One page's renderer side, as far as its preload sees it: the preload runs
 * in a fresh V8 context with the sandbox's `require` (electron, events,
 * timers, url and nothing else) and the sandbox's Node globals (Buffer,
 * process, setImmediate, clearImmediate). What it exposes through
 * contextBridge lands in `mainWorld`, where a test calls it as the page would.
 */
export class RendererWorld {
  readonly mainWorld: Record<string, unknown> = {};
  private readonly channels = new EventEmitter();

  constructor(private readonly host: RendererHost) {}

  /** main → page: webContents.send. */
  deliver(channel: string, args: unknown[]): void {
    this.channels.emit(channel, { senderId: 0, ports: [] }, ...args.map((arg) => structuredClone(arg)));
  }

  listenerCount(channel: string): number {
    return this.channels.listenerCount(channel);
  }

  runPreload(path: string, sandboxed: boolean): void {
    const electron = this.electronModule();
    const code = readFileSync(path, 'utf8');
    const module = { exports: {} as unknown };
    if (sandboxed) {
      const allowed: Record<string, unknown> = { electron, events: { EventEmitter, default: EventEmitter }, timers, url };
      const sandboxRequire = (id: string): unknown => {
        if (!Object.hasOwn(allowed, id))
          throw new Error(`module not found: ${id} (a sandboxed preload can require only ${Object.keys(allowed).join(', ')})`);
        return allowed[id];
      };
      const context = vm.createContext({
        console,
        setTimeout,
        clearTimeout,
        setInterval,
        clearInterval,
        queueMicrotask,
        structuredClone,
        TextEncoder,
        TextDecoder,
        URL,
        Buffer,
        setImmediate,
        clearImmediate,
        process: {
          type: 'renderer',
          sandboxed: true,
          contextIsolated: this.host.contextIsolation,
          platform: process.platform,
          versions: process.versions,
          env: {},
        },
      });
      // A CommonJS wrapper: a preload written as an ES module fails here with a SyntaxError, as it would in Electron.
      const wrapper = new vm.Script(`(function (exports, require, module) {${code}\n})`, { filename: path });
      (wrapper.runInContext(context) as (e: unknown, r: unknown, m: unknown) => void)(module.exports, sandboxRequire, module);
    } else {
      const nodeRequire = createRequire(path);
      const wrapper = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: path });
      const fullRequire = (id: string): unknown => (id === 'electron' ? electron : nodeRequire(id));
      (wrapper.runInThisContext() as (...a: unknown[]) => void)(
        module.exports,
        fullRequire,
        module,
        path,
        url.fileURLToPath(new URL('.', url.pathToFileURL(path))),
      );
    }
  }

  private electronModule(): unknown {
    const { host, channels, mainWorld } = this;
    return {
      contextBridge: {
        exposeInMainWorld(key: string, api: unknown): void {
          if (!host.contextIsolation) throw new Error('contextBridge API can only be used when contextIsolation is enabled');
          if (Object.hasOwn(mainWorld, key))
            throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
          mainWorld[key] = api;
        },
      },
      ipcRenderer: {
        invoke: (channel: string, ...args: unknown[]) => host.invoke(channel, args),
        on(channel: string, listener: (...a: unknown[]) => void) {
          channels.on(channel, listener);
          return this;
        },
        once(channel: string, listener: (...a: unknown[]) => void) {
          channels.once(channel, listener);
          return this;
        },
        removeListener(channel: string, listener: (...a: unknown[]) => void) {
          channels.removeListener(channel, listener);
          return this;
        },
        off(channel: string, listener: (...a: unknown[]) => void) {
          channels.off(channel, listener);
          return this;
        },
      },
    };
  }
}
