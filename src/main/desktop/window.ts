import { BrowserWindow, dialog, type Session } from 'electron';

export interface WindowOptions {
  session: Session;
  /** The built preload, CommonJS: sandboxed preloads cannot be ES modules. */
  preload: string;
  url: string;
}

/** The app's one window, locked down as Electron's security checklist asks. */
export function createWindow({ session, preload, url }: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 500,
    show: false,
    webPreferences: {
      // The session whose permission handlers deny everything and that serves app://.
      session,
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // Chromium's spellchecker downloads its dictionaries from Google; keys and values need no spelling help.
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());

  // The renderer cancels unload while value edits are unsaved; Electron then
  // neither closes nor asks, so ask here, as a browser would.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Discard and close', 'Keep editing'],
      defaultId: 1,
      cancelId: 1,
      title: 'Unsaved edits',
      message: 'Some values have unsaved edits.',
      detail: 'Closing discards them.',
    });
    if (choice === 0) event.preventDefault();
  });

  win.loadURL(url).catch((err: Error) => {
    // A window without its page is a blank window: say why instead.
    console.error(`[strata] could not load ${url}:`, err);
    if (!win.isDestroyed()) dialog.showErrorBox('Strata could not load its page', `${url}: ${err.message}`);
  });
  return win;
}
