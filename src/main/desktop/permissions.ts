import type { Session } from 'electron';

/**
 * The page needs no browser permission (camera, notifications, clipboard
 * read, HID, geolocation…), so every request and every check on the app's
 * session is denied. Without these handlers Electron grants most of them.
 */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    console.warn(`[strata] denied the permission "${permission}" asked for by ${details.requestingUrl}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
