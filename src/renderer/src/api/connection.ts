import type { ConnectionState } from './web-transport';

export interface Connection {
  state: ConnectionState;
  detail?: string;
  /** Whether the socket has ever been open: a first failure is a different message than a drop. */
  everOpen: boolean;
}

/** A tiny external store for web mode's socket state, read with useSyncExternalStore. */
export interface ConnectionStore {
  get(): Connection;
  set(state: ConnectionState, detail?: string): void;
  subscribe(listener: () => void): () => void;
}

export function connectionStore(): ConnectionStore {
  let current: Connection = { state: 'connecting', everOpen: false };
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    set: (state, detail) => {
      current = { state, detail, everOpen: current.everOpen || state === 'open' };
      for (const l of listeners) l();
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
