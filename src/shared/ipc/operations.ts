// The names of Strata's IPC operations, and the Electron channels derived
// from them. This module has no imports and no runtime dependencies on
// purpose: the preload bundles it, and must stay a few kilobytes (a sandboxed
// preload carries every byte it imports). contract.ts declares one entry per
// name here and checks, at compile time, that the two sets are equal.

export const OPERATIONS = [
  'app.info',
  'folder.choose',
  'folder.open',
  'collections.list',
  'collections.checkName',
  'collections.create',
  'collections.open',
  'collections.close',
  'collections.drop',
  'collections.stats',
  'collections.repair',
  'keys.page',
  'keys.get',
  'keys.put',
  'keys.delete',
  'keys.count',
  'jobs.deleteMatching',
  'jobs.cancel',
  'jobs.workload',
  'lsm.flush',
  'lsm.compact',
  'lsm.history',
  'lsm.explainGet',
  'lsm.inspectTable',
  'transfer.chooseImportFile',
  'transfer.previewSample',
  'transfer.previewFile',
  'transfer.importFile',
  'transfer.beginUpload',
  'transfer.exportFile',
  'transfer.beginDownload',
] as const;

export type Operation = (typeof OPERATIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(OPERATIONS);

export const isOperation = (name: unknown): name is Operation => typeof name === 'string' && KNOWN.has(name);

/** Electron channel for an operation; derived, never typed by hand. */
export const channelOf = (op: Operation): string => `strata:${op}`;
/** Electron channel of everything main pushes to the renderer. */
export const PUSH_CHANNEL = 'strata:push';
