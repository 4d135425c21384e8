import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { isAppPage } from './app-protocol';

/**
 * Only the app's own page, in the top frame of the app's own window, may call
 * the service: not another webContents, not a frame inside the page (an
 * iframe is never the app, whatever its URL), not a page it navigated to.
 * In development the page comes from the Vite dev server, matched by origin.
 */
export function trustedSender(
  appContents: () => WebContents | undefined,
  devUrl: string | undefined,
): (event: IpcMainInvokeEvent) => boolean {
  const devOrigin = devUrl === undefined ? undefined : originOf(devUrl);
  const isPage = devUrl === undefined ? isAppPage : (url: string) => devOrigin !== undefined && originOf(url) === devOrigin;
  return (event) => {
    const contents = appContents();
    if (!contents || event.sender !== contents) return false;
    try {
      const frame = event.senderFrame;
      if (!frame || frame.parent !== null) return false;
      return isPage(frame.url);
    } catch {
      // A frame disposed while its call was in flight throws on access: it is no longer the app's page.
      return false;
    }
  };
}

function originOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const origin = new URL(url).origin;
  return origin === 'null' ? undefined : origin;
}
