import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PushEvent } from '../../shared/ipc/types';
import { AppService, type AppServiceOptions } from './app-service';

let dir: string;
const services: AppService[] = [];

beforeEach(() => {
  // Real path: on some systems the temp folder is itself behind a symlink.
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'strata-folders-')));
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function startService(options: Partial<AppServiceOptions>): Promise<{ service: AppService; pushes: PushEvent[] }> {
  const service = new AppService({
    mode: 'web',
    version: 'test',
    dataDir: join(dir, 'data'),
    recentFile: join(dir, 'recent.json'),
    ...options,
  });
  services.push(service);
  const pushes: PushEvent[] = [];
  service.subscribe((e) => pushes.push(e));
  await service.start();
  return { service, pushes };
}

describe('folder.open in the desktop app', () => {
  it('opens only a folder chosen in the native dialog or one from the recent list', async () => {
    let pick: string | undefined;
    const { service, pushes } = await startService({ mode: 'electron', chooseFolder: async () => pick });
    for (const path of ['/etc', join(dir, 'other'), join(dir, 'data', '..')]) {
      await assert.rejects(service['folder.open']({ path }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'FORBIDDEN');
        assert.match(err.message, /was not chosen in the folder dialog and is not a recent folder/);
        return true;
      });
    }
    assert.equal((await service['app.info']()).dataDir, join(dir, 'data'));
    assert.ok(!pushes.some((p) => p.kind === 'folder-changed'), 'no client saw a folder change');

    pick = join(dir, 'chosen');
    assert.equal((await service['folder.choose']())?.dataDir, pick);
    // Both are now recent: the renderer may go back and forth by path.
    assert.equal((await service['folder.open']({ path: join(dir, 'data') })).dataDir, join(dir, 'data'));
    assert.equal((await service['folder.open']({ path: `${pick}/./` })).dataDir, pick);
  });

  it('takes a folder chosen in an earlier run from the recent list', async () => {
    const first = await startService({ mode: 'electron', chooseFolder: async () => join(dir, 'earlier') });
    await first.service['folder.choose']();
    await first.service.shutdown();
    const { service } = await startService({ mode: 'electron', dataDir: join(dir, 'data') });
    assert.equal((await service['folder.open']({ path: join(dir, 'earlier') })).dataDir, join(dir, 'earlier'));
  });
});

describe('web mode with --root', () => {
  const root = () => join(dir, 'root');

  beforeEach(() => {
    mkdirSync(join(dir, 'root', 'inside'), { recursive: true });
    mkdirSync(join(dir, 'outside'), { recursive: true });
  });

  it('opens folders inside the root, existing or not yet created', async () => {
    const { service } = await startService({ root: root(), dataDir: join(root(), 'data') });
    assert.equal((await service['folder.open']({ path: join(root(), 'inside') })).dataDir, join(root(), 'inside'));
    assert.equal((await service['folder.open']({ path: join(root(), 'new', 'deeper') })).dataDir, join(root(), 'new', 'deeper'));
    assert.equal((await service['folder.open']({ path: root() })).dataDir, root());
  });

  it('refuses folders outside the root, by "..", by a symlink, or by a symlink to nothing', async () => {
    symlinkSync(join(dir, 'outside'), join(root(), 'escape'));
    symlinkSync(join(dir, 'outside', 'not-yet'), join(root(), 'dangling'));
    const { service, pushes } = await startService({ root: root(), dataDir: join(root(), 'data') });
    const cases: [string, RegExp][] = [
      ['/etc', /"\/etc" is outside the folder this server may open/],
      [join(root(), '..', 'outside'), /is outside the folder this server may open/],
      [`${root()}-sibling`, /is outside/],
      [join(root(), 'escape'), /leads to .*outside\) is outside/],
      [join(root(), 'escape', 'sub'), /leads to .*outside\/sub\) is outside/],
      [join(root(), 'dangling'), /symlink to something that does not exist/],
    ];
    for (const [path, message] of cases) {
      await assert.rejects(service['folder.open']({ path }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'FORBIDDEN', path);
        assert.match(err.message, message);
        return true;
      });
    }
    assert.equal((await service['app.info']()).dataDir, join(root(), 'data'));
    assert.ok(!pushes.some((p) => p.kind === 'folder-changed'));
  });

  it('opens a symlink that stays inside the root by its real path', async () => {
    symlinkSync(join(root(), 'inside'), join(root(), 'alias'));
    const { service } = await startService({ root: root(), dataDir: join(root(), 'data') });
    assert.equal((await service['folder.open']({ path: join(root(), 'alias') })).dataDir, join(root(), 'inside'));
  });

  it('refuses to start on a data folder outside the root, or with a root that does not exist', async () => {
    await assert.rejects(
      startService({ root: root(), dataDir: join(dir, 'outside') }),
      /the data folder must be inside --root: .* is outside/,
    );
    await assert.rejects(
      startService({ root: join(dir, 'missing'), dataDir: join(dir, 'missing', 'data') }),
      /--root .*missing cannot be used/,
    );
  });

  it('offers only recent folders inside the root', async () => {
    const before = await startService({ dataDir: join(dir, 'outside') });
    await before.service.shutdown();
    const { service } = await startService({ root: root(), dataDir: join(root(), 'inside') });
    assert.deepEqual((await service['app.info']()).recentDirs, [join(root(), 'inside')]);
  });
});
