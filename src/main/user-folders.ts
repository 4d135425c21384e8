import { homedir } from 'node:os';
import { join } from 'node:path';

/** The app's name as Electron derives it from package.json; its user-data folder is named after it. */
export const APP_NAME = 'strata';

/**
 * Where Electron's `app.getPath('appData')` points on each platform, computed
 * without Electron, so that web mode (a plain Node process) uses the same
 * folders as the desktop app: ~/.config (or $XDG_CONFIG_HOME) on Linux,
 * ~/Library/Application Support on macOS, %APPDATA% on Windows.
 */
export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return env.APPDATA ?? join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(home, '.config');
}

/** The desktop app's `userData` folder: its settings, and its default data folder. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  return join(appDataDir(env, platform, home), APP_NAME);
}

/** The data folder both modes open when none is given (STRATA_DATA overrides it). */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  return env.STRATA_DATA || join(userDataDir(env, platform, home), 'data');
}
