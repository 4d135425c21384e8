import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultDataDir, userDataDir } from './user-folders';

test('web mode finds the same user-data folder as Electron on each platform', () => {
  assert.equal(userDataDir({}, 'linux', '/home/ada'), '/home/ada/.config/strata');
  assert.equal(userDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ada'), '/cfg/strata');
  assert.equal(userDataDir({}, 'darwin', '/Users/ada'), '/Users/ada/Library/Application Support/strata');
  assert.match(userDataDir({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada'), /Roaming.strata$/);
});

test('the default data folder is <userData>/data, and STRATA_DATA overrides it as in the desktop app', () => {
  assert.equal(defaultDataDir({}, 'linux', '/home/ada'), '/home/ada/.config/strata/data');
  assert.equal(defaultDataDir({ STRATA_DATA: '/srv/strata' }, 'linux', '/home/ada'), '/srv/strata');
});
