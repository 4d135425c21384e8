import { contextBridge, ipcRenderer } from 'electron';
import { channelOf, operations, PUSH_CHANNEL } from '../shared/ipc/contract';
import type { PushEvent } from '../shared/ipc/types';
import type { Envelope } from '../shared/ipc/wire';

// One function per contract operation and one subscribe function: the page
// never sees ipcRenderer, and never sees the IPC event object (it leaks the sender).
const calls = Object.fromEntries(
  operations.map((op) => [op, (args: unknown): Promise<Envelope> => ipcRenderer.invoke(channelOf(op), args)]),
);

contextBridge.exposeInMainWorld('strata', {
  ...calls,
  subscribe(listener: (event: PushEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('subscribe expects a function');
    const wrapped = (_event: Electron.IpcRendererEvent, payload: PushEvent): void => listener(payload);
    ipcRenderer.on(PUSH_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(PUSH_CHANNEL, wrapped);
    };
  },
});
