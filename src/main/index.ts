import { app, dialog, protocol, session, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_PAGE_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './desktop/app-protocol';
import { guardWebContents } from './desktop/navigation';
import { denyAllPermissions } from './desktop/permissions';
import { trustedSender } from './desktop/trusted-sender';
import { createWindow } from './desktop/window';
import { registerIpc, pushTo } from './ipc/register';
import { AppService } from './service/app-service';
import { utilityLauncher } from './utility-launcher';
import { loadStaticFiles } from './web/static-files';
import workerPath from './compaction-worker?modulePath';

const TRANSFER_FILTERS = [
  { name: 'NDJSON, JSON or CSV', extensions: ['ndjson', 'jsonl', 'json', 'csv'] },
  { name: 'All files', extensions: ['*'] },
];

let window: BrowserWindow | undefined;
let service: AppService | undefined;

const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
const preload = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

// Custom schemes get their privileges only if registered before 'ready'.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.on('web-contents-created', (_event, contents) => guardWebContents(contents));

async function start(): Promise<void> {
  const appSession = session.defaultSession;
  denyAllPermissions(appSession);
  // In development the page comes from the Vite dev server; app:// serves the build.
  if (!devUrl) appSession.protocol.handle(APP_SCHEME, appProtocolHandler(await loadStaticFiles(rendererDir)));

  service = new AppService({
    mode: 'electron',
    version: app.getVersion(),
    dataDir: process.env['STRATA_DATA'] ?? join(app.getPath('userData'), 'data'),
    recentFile: join(app.getPath('userData'), 'recent-folders.json'),
    compactionLauncher: utilityLauncher(workerPath),
    chooseFolder: async () => {
      const result = await dialog.showOpenDialog(window!, { title: 'Open data folder', properties: ['openDirectory', 'createDirectory'] });
      return result.canceled ? undefined : result.filePaths[0];
    },
    chooseImportFile: async () => {
      const result = await dialog.showOpenDialog(window!, {
        title: 'Import into collection',
        properties: ['openFile'],
        filters: TRANSFER_FILTERS,
      });
      return result.canceled ? undefined : result.filePaths[0];
    },
    chooseExportFile: async (suggestedName) => {
      const result = await dialog.showSaveDialog(window!, {
        title: 'Export collection',
        defaultPath: suggestedName,
        filters: TRANSFER_FILTERS,
      });
      return result.canceled ? undefined : result.filePath;
    },
  });
  await service.start();
  registerIpc(
    service,
    trustedSender(() => window?.webContents, devUrl),
  );
  service.subscribe((event) => {
    if (window) pushTo(window.webContents, event);
  });
  const open = (): void => {
    window = createWindow({ session: appSession, preload, url: devUrl ?? APP_PAGE_URL });
    window.on('closed', () => (window = undefined));
  };
  open();
  // macOS keeps the app alive without windows; re-open one when the dock icon is clicked.
  app.on('activate', () => {
    if (!window) open();
  });
}

app
  .whenReady()
  .then(start)
  .catch((err: Error) => {
    console.error('[strata] startup failed:', err);
    dialog.showErrorBox('Strata could not start', err.message);
    app.exit(1);
  });

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !service) return;
  // Close collections before exit so their workers stop and their locks are released.
  event.preventDefault();
  quitting = true;
  service
    .shutdown()
    .catch((err: Error) => console.error('[strata] shutdown failed; quitting anyway:', err))
    .finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
