import type { PushEvent } from '../../../shared/ipc/types';
import type { Envelope } from '../../../shared/ipc/wire';
import type { Transport } from './client';

/** What the preload exposes as window.strata: one function per operation, plus subscribe. */
type Bridge = Record<string, (args: unknown) => Promise<Envelope>> & {
  subscribe(listener: (event: PushEvent) => void): () => void;
};

export function electronBridge(): Bridge | undefined {
  return (window as unknown as { strata?: Bridge }).strata;
}

export function electronTransport(bridge: Bridge): Transport {
  return {
    call: (op, args) => {
      const fn = bridge[op];
      if (typeof fn !== 'function')
        return Promise.resolve({
          ok: false,
          error: { code: 'UNKNOWN_OPERATION', message: `the desktop bridge has no ${op}`, operation: op },
        });
      return fn(args);
    },
    subscribe: (listener) => bridge.subscribe(listener),
  };
}
