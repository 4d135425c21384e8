import { app, BrowserWindow, dialog, shell, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { registerIpc, pushTo } from './ipc/register'
import { AppService } from './service/app-service'
import { utilityLauncher } from './utility-launcher'
import workerPath from './compaction-worker?modulePath'

const TRANSFER_FILTERS = [
  { name: 'NDJSON, JSON or CSV', extensions: ['ndjson', 'jsonl', 'json', 'csv'] },
  { name: 'All files', extensions: ['*'] }
]

let window: BrowserWindow | undefined
let service: AppService | undefined

const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined
const rendererFile = fileURLToPath(new URL('../renderer/index.html', import.meta.url))

/** Only the app's own page in the app's own window may call the service. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  if (!window || event.sender !== window.webContents) return false
  const url = event.senderFrame?.url
  if (!url) return false
  if (devUrl) return url.startsWith(devUrl)
  try {
    const page = new URL(url)
    if (page.protocol !== 'file:') return false
    page.hash = ''
    page.search = ''
    return fileURLToPath(page) === rendererFile
  } catch {
    return false
  }
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 500,
    show: false,
    webPreferences: {
      // The preload is built as CommonJS because sandboxed preloads cannot be ES modules.
      preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false
    }
  })
  win.once('ready-to-show', () => win.show())

  // The renderer is untrusted: it may never leave the app's own page or open windows.
  win.webContents.on('will-navigate', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })

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
      detail: 'Closing discards them.'
    })
    if (choice === 0) event.preventDefault()
  })

  if (devUrl) void win.loadURL(devUrl)
  else void win.loadFile(rendererFile)
  return win
}

void app.whenReady().then(async () => {
  service = new AppService({
    mode: 'electron',
    version: app.getVersion(),
    dataDir: process.env['STRATA_DATA'] ?? join(app.getPath('userData'), 'data'),
    recentFile: join(app.getPath('userData'), 'recent-folders.json'),
    compactionLauncher: utilityLauncher(workerPath),
    chooseFolder: async () => {
      const result = await dialog.showOpenDialog(window!, { title: 'Open data folder', properties: ['openDirectory', 'createDirectory'] })
      return result.canceled ? undefined : result.filePaths[0]
    },
    chooseImportFile: async () => {
      const result = await dialog.showOpenDialog(window!, { title: 'Import into collection', properties: ['openFile'], filters: TRANSFER_FILTERS })
      return result.canceled ? undefined : result.filePaths[0]
    },
    chooseExportFile: async (suggestedName) => {
      const result = await dialog.showSaveDialog(window!, { title: 'Export collection', defaultPath: suggestedName, filters: TRANSFER_FILTERS })
      return result.canceled ? undefined : result.filePath
    }
  })
  await service.start()
  registerIpc(service, isTrustedSender)
  service.subscribe((event) => {
    if (window) pushTo(window.webContents, event)
  })
  window = createWindow()
  window.on('closed', () => (window = undefined))
  // macOS keeps the app alive without windows; re-open one when the dock icon is clicked.
  app.on('activate', () => {
    if (!window) {
      window = createWindow()
      window.on('closed', () => (window = undefined))
    }
  })
})

let quitting = false
app.on('before-quit', (event) => {
  if (quitting || !service) return
  // Close collections before exit so their workers stop and their locks are released.
  event.preventDefault()
  quitting = true
  void service.shutdown().finally(() => app.quit())
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
