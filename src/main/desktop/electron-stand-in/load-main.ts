import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Imports a built main-process bundle with `electron` resolved to the stand-in
 * module. The bundle and its chunks (everything under `buildDir`) are read
 * from disk and handed to Node as they are, past any TypeScript loader, so
 * what runs is the built file, byte for byte.
 */
export async function importBuiltMain(mainFile: string, buildDir: string, standInUrl: string): Promise<void> {
  const buildUrl = pathToFileURL(buildDir).href + '/';
  const hooks = `
    import { readFile } from 'node:fs/promises'
    export async function resolve(specifier, context, next) {
      if (specifier === 'electron') return { url: ${JSON.stringify(standInUrl)}, shortCircuit: true }
      return next(specifier, context)
    }
    export async function load(url, context, next) {
      if (url.startsWith(${JSON.stringify(buildUrl)}) && url.endsWith('.js')) {
        return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true }
      }
      return next(url, context)
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  await import(pathToFileURL(mainFile).href);
}
