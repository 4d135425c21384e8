// `npm run web -- [--data <dir>] [--port N] [--root <dir>]`: the desktop app's
// service and renderer as a local web app, for machines without a display (or
// without the Electron binary) — reach it through an SSH tunnel like any local
// port. Without --data it opens the desktop app's default data folder.
// --root keeps "Open folder…" inside one folder (doc/web-mode-security.md).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppService } from '../service/app-service';
import { startWebServer } from './server';
import { loadStaticFiles } from './static-files';
import { defaultDataDir, userDataDir } from '../user-folders';

const USAGE =
  "usage: npm run web -- [--data <folder>, default: the desktop app's] [--port <1-65535, default 7411>] [--root <folder>: open no data folder outside it]";

function fail(message: string): never {
  console.error(`strata web: ${message}\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: { data: { type: 'string' }, port: { type: 'string', default: '7411' }, root: { type: 'string' }, help: { type: 'boolean' } },
  }).values;
} catch (err) {
  fail((err as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be an integer from 0 to 65535, got "${args.port}"`);

const root = fileURLToPath(new URL('../..', import.meta.url));
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

const service = new AppService({
  mode: 'web',
  version,
  // With --root alone, the root is the data folder: the default one usually lies outside it.
  dataDir: args.data ?? args.root ?? defaultDataDir(),
  root: args.root,
  recentFile: join(userDataDir(), 'recent-folders.json'),
});
await service.start().catch((err: Error) => fail(err.message));
const files = await loadStaticFiles(join(root, 'out', 'renderer')).catch((err: Error) => fail(err.message));
const server = await startWebServer({
  api: service,
  transfers: service.transfers,
  subscribe: (listener) => service.subscribe(listener),
  files,
  token: randomBytes(24).toString('base64url'),
  port,
}).catch((err: NodeJS.ErrnoException) =>
  fail(err.code === 'EADDRINUSE' ? `port ${port} is already in use; pass --port <another>` : err.message),
);

const info = await service['app.info']();
console.log(`Strata web mode: data folder ${info.dataDir}${args.root ? `; folders outside ${args.root} cannot be opened` : ''}`);
// The one place the token is shown: the page trades it for a session cookie and removes it from its address.
console.log(`Open ${server.url}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // Close collections cleanly (memtables stay in the WAL either way; this just avoids replay on next open).
    void Promise.allSettled([server.close(), service.shutdown()]).then(() => process.exit(0));
  });
}
