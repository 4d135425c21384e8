import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * The built renderer, loaded into memory once. Requests are answered only
 * from this map of known URL paths, so no request path ever reaches the file
 * system: "..", encoded slashes and symlinks cannot escape the build folder.
 */
export async function loadStaticFiles(root: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const url = '/' + relative(root, path).split(sep).join('/');
        files.set(url, { body: await readFile(path), type: TYPES[extname(path)] ?? 'application/octet-stream' });
      }
    }
  };
  await walk(root);
  if (!files.has('/index.html')) throw new Error(`${root} holds no index.html: build the renderer first (npm run build)`);
  return files;
}

/** Maps a request's path (already parsed, see request-target.ts) to a known file; "/" is the app's page. */
export function lookupStatic(files: Map<string, StaticFile>, path: string): StaticFile | undefined {
  return files.get(path === '/' ? '/index.html' : path);
}
