// The compaction worker's entry for Electron's utility process. electron-vite
// builds it as its own chunk (main imports it with `?modulePath`); importing
// the engine's worker module starts the worker loop on process.parentPort.
import '@strata/engine/compaction-worker';
