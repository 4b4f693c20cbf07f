/**
 * Everything a page could use to leave the app: navigation, new windows, webviews, permissions and
 * network requests. The renderer is local code; nothing it shows may load or go elsewhere.
 */
import { app, dialog, session, shell, type WebContents } from 'electron';
import { isAppUrl } from './ipc.js';

/** Only web links leave the app, and only to the user's browser. */
export function openExternally(url: string): void {
  try {
    if (new URL(url).protocol === 'https:') void shell.openExternal(url);
  } catch {
    // Not a URL: nothing to open.
  }
}

function guardContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    openExternally(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // A page with unsaved edits asks before it goes (reload, Open Recent, closing the window).
  contents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync({
      type: 'question',
      buttons: ['Discard changes', 'Keep editing'],
      defaultId: 1,
      cancelId: 1,
      message: 'Discard unsaved changes?',
    });
    if (choice === 0) event.preventDefault();
  });
}

const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);
const REMOTE_PROTOCOLS = new Set(['http:', 'https:', 'ws:', 'wss:', 'file:']);

export function isRemote(url: string): boolean {
  try {
    return REMOTE_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return true;
  }
}

export function lockDown(): void {
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(ALLOWED_PERMISSIONS.has(permission)),
  );
  s.setPermissionCheckHandler((_wc, permission) => ALLOWED_PERMISSIONS.has(permission));
  // A listener without URL patterns sees every request, so no pattern syntax can leave a gap.
  s.webRequest.onBeforeRequest((details, callback) => callback({ cancel: isRemote(details.url) }));
}
