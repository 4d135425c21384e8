import { contextBridge, ipcRenderer } from 'electron';
import { channelOf, OPERATIONS, PUSH_CHANNEL } from '../shared/ipc/operations';

// One function per contract operation and one subscribe function: the page
// never sees ipcRenderer, and never sees the IPC event object (it leaks the
// sender). The preload only relays: it imports nothing but the operation
// names, so calls and pushes pass through as they are (their types are the
// renderer's, in shared/ipc), and the bundle stays a few kilobytes.
const calls = Object.fromEntries(
  OPERATIONS.map((op) => [op, (args: unknown): Promise<unknown> => ipcRenderer.invoke(channelOf(op), args)]),
);

contextBridge.exposeInMainWorld('strata', {
  ...calls,
  subscribe(listener: (event: unknown) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('subscribe expects a function');
    const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(PUSH_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(PUSH_CHANNEL, wrapped);
    };
  },
});
