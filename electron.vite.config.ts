import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // index: the Electron main process. web: the same service as a plain Node web server (npm run web).
        input: { index: resolve('src/main/index.ts'), web: resolve('src/main/web/main.ts') },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only a few Electron modules, so what it imports is bundled in
      // (only the operation names: src/preload imports nothing else, see .dependency-cruiser.app.cjs).
      externalizeDeps: false,
      rollupOptions: {
        // Sandboxed preloads cannot load ES modules, so this one must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    // No React plugin: Vite's built-in Oxc transform handles TSX with the automatic runtime.
    oxc: { jsx: { runtime: 'automatic' } },
  },
});
