import { shell, type WebContents } from 'electron';
import { openExternalIfAllowed } from './external-links';

/**
 * The renderer is untrusted: it may never leave the app's page, embed a
 * <webview> or open a window. A link it follows or opens goes to the system
 * browser if its host is on the allow-list, and nowhere otherwise. Applied to
 * every webContents the app creates (app 'web-contents-created').
 */
export function guardWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    openExternalIfAllowed(event.url, (url) => shell.openExternal(url));
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url, (allowed) => shell.openExternal(allowed));
    return { action: 'deny' };
  });
}
