#!/usr/bin/env node
// lsm-cli, the command-line shell for Strata collections (see cli/main.ts).
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2));
// Everything is closed by now; if some handle still holds the event loop, do not hang.
setTimeout(() => process.exit(), 2000).unref();
