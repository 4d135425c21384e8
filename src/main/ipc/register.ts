import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { StrataApi } from '../../shared/ipc/contract';
import { channelOf, OPERATIONS, PUSH_CHANNEL } from '../../shared/ipc/operations';
import type { PushEvent } from '../../shared/ipc/types';
import { dispatch, toErrorShape } from './dispatch';

/**
 * Registers one ipcMain handler per contract operation. Every call is
 * checked for its sender (only the app's own page, in its own window) before
 * its arguments are validated and it is dispatched to the service.
 */
export function registerIpc(api: StrataApi, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): () => void {
  for (const op of OPERATIONS) {
    ipcMain.handle(channelOf(op), (event, args: unknown) => {
      if (!isTrustedSender(event)) {
        return {
          ok: false,
          error: toErrorShape(op, Object.assign(new Error('call refused: it did not come from the Strata window'), { code: 'FORBIDDEN' })),
        };
      }
      return dispatch(api, op, args);
    });
  }
  return () => {
    for (const op of OPERATIONS) ipcMain.removeHandler(channelOf(op));
  };
}

export function pushTo(contents: WebContents, event: PushEvent): void {
  if (!contents.isDestroyed()) contents.send(PUSH_CHANNEL, event);
}
