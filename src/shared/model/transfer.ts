// The import and export choices the app offers, as values (the contract's
// schemas and the dialogs' lists are built from them) and as types.

/** The interchange formats; the engine reads and writes the same three (main checks its type is this one). */
export const TRANSFER_FORMATS = ['ndjson', 'json', 'csv'] as const;
export type TransferFormat = (typeof TRANSFER_FORMATS)[number];

/** What an import does at a bad record: stop there, or skip it and go on. */
export const IMPORT_MODES = ['stop', 'skip'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
