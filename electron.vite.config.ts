import { defineConfig } from 'electron-vite'

export default defineConfig({
  main: {},
  preload: {
    build: {
      rollupOptions: {
        // Sandboxed preloads cannot load ES modules, so this one must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: 'src/renderer',
    // No React plugin: Vite's built-in Oxc transform handles TSX with the automatic runtime.
    oxc: { jsx: { runtime: 'automatic' } }
  }
})
