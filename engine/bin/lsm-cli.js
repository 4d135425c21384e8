#!/usr/bin/env node
// Committed launcher for the built CLI: npm links a workspace bin only if the
// file exists at install time, and dist/ appears only after `npm run build`.
import('../dist/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    console.error('lsm-cli: the engine is not built yet; run `npm run build` first');
    process.exit(1);
  }
  throw err;
});
