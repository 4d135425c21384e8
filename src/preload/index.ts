import { contextBridge } from 'electron'

// Placeholder bridge so the renderer can detect the desktop shell; the typed IPC
// contract (one function per operation, never raw ipcRenderer) lands in a later issue.
contextBridge.exposeInMainWorld('strata', Object.freeze({ version: 1 }))
