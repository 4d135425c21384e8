import type { StrataApi } from '../../../shared/ipc/contract';
import type { IpcErrorShape, PushEvent } from '../../../shared/ipc/types';
import type { Envelope } from '../../../shared/ipc/wire';

/** How calls reach main: Electron's preload bridge, or web mode's WebSocket. */
export interface Transport {
  call(op: string, args: unknown): Promise<Envelope>;
  subscribe(listener: (event: PushEvent) => void): () => void;
}

/** A failed call, with the engine's code (COLLECTION_LOCKED, INVALID_KEY, …) and its message. */
export class AppError extends Error {
  readonly code: string;
  readonly operation: string;
  constructor(shape: IpcErrorShape) {
    super(shape.message);
    this.name = 'AppError';
    this.code = shape.code;
    this.operation = shape.operation;
  }
}

export type Client = StrataApi & { subscribe(listener: (event: PushEvent) => void): () => void };

/** The renderer's typed client, one method per contract operation, derived from the contract's list. */
export function createClient(transport: Transport): Client {
  // A proxy rather than a loop over the contract's operation list: the list
  // lives beside the argument schemas, and the renderer needs only the types.
  // Names the contract does not declare are refused by main anyway.
  const methods = new Map<string, (args?: unknown) => Promise<unknown>>();
  const subscribe = (listener: (event: PushEvent) => void) => transport.subscribe(listener);
  return new Proxy({} as Client, {
    get(_target, name) {
      if (name === 'subscribe') return subscribe;
      if (typeof name !== 'string' || name === 'then') return undefined;
      let method = methods.get(name);
      if (!method) {
        method = async (args?: unknown) => {
          const envelope = await transport.call(name, args);
          if (!envelope.ok) throw new AppError(envelope.error);
          return envelope.result;
        };
        methods.set(name, method);
      }
      return method;
    },
  });
}
