import { DECODERS } from './import.js';
import { formatFromPath, resolveFormat, type TransferFormat } from './format.js';
import { recordProblem } from './records.js';
import { readSource } from './text-source.js';
import type { BadRecord } from './progress.js';

export interface ImportPreview {
  format: TransferFormat;
  /** How the format was chosen: given by the caller, from the file's extension, or sniffed from the content. */
  formatFrom: 'option' | 'extension' | 'content';
  records: { line: number; key: string; value: string }[];
  /** Bad records among the ones read, exactly as an import would report them. */
  problems: BadRecord[];
  /** The sample ended before `limit` records: fewer may exist, or the file is longer than the sample. */
  sampleEnded: boolean;
}

/** The first non-blank character says which format a file holds, when its name does not. */
export function sniffFormat(sample: string): TransferFormat {
  const first = sample.replace(/^\uFEFF/, '').trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') return 'ndjson';
  return 'csv';
}

/**
 * What an import of a file would read first, from a sample of its beginning
 * (what the app's "Import…" dialog shows before anything is written). It uses
 * the import's own decoders and checks, so the preview never disagrees with
 * the import. A record cut off by the end of the sample is not reported as bad.
 */
export async function previewImport(
  sample: string,
  options: { fileName?: string; format?: string; limit?: number; complete?: boolean } = {},
): Promise<ImportPreview> {
  const limit = options.limit ?? 10;
  let format: TransferFormat;
  let formatFrom: ImportPreview['formatFrom'];
  if (options.format !== undefined) {
    format = resolveFormat(options.format, undefined);
    formatFrom = 'option';
  } else if (options.fileName !== undefined && formatFromPath(options.fileName) !== undefined) {
    format = formatFromPath(options.fileName)!;
    formatFrom = 'extension';
  } else {
    format = sniffFormat(sample);
    formatFrom = 'content';
  }
  const preview: ImportPreview = { format, formatFrom, records: [], problems: [], sampleEnded: true };
  const lastLine = sample.split('\n').length;
  const once = (async function* () {
    yield Buffer.from(sample);
  })();
  const decoded = DECODERS[format](readSource(once, () => {}, format === 'ndjson' ? 'lines' : 'text'));
  try {
    outer: for await (const items of decoded) {
      for (const item of items) {
        if (preview.records.length >= limit) {
          preview.sampleEnded = false;
          break outer;
        }
        if ('error' in item) {
          // The sample's end cuts the file anywhere: a failure there is the cut, not the file.
          const atCut = options.complete !== true && (item.fatal === true || item.line >= lastLine - 1);
          if (!atCut) preview.problems.push({ line: item.line, message: item.error });
          if (item.fatal === true) break outer;
          continue;
        }
        const problem = recordProblem(item.key, item.value);
        if (problem !== undefined) preview.problems.push({ line: item.line, message: problem });
        else preview.records.push({ line: item.line, key: item.key, value: item.value });
      }
    }
  } finally {
    await decoded.return(undefined);
  }
  return preview;
}
