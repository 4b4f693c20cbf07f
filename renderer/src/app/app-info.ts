/** What the host told us about itself; asked once. */
import type { AppInfo } from '../../../shared/desktop-api.js';
import { api } from '../api.js';
import { openFolderGuarded } from '../state/navigation.js';
import { setFolderBrowserOpen } from '../state/ui-store.js';

let info: Promise<AppInfo> | null = null;

export function appInfo(): Promise<AppInfo> {
  info ??= api.appInfo();
  return info;
}

/** "Open folder…": the native dialog in Electron, the host's folder browser in a browser. */
export async function pickFolder(): Promise<void> {
  const { mode } = await appInfo();
  if (mode === 'electron') {
    const path = await api.pickFolder();
    if (path) openFolderGuarded(path);
    return;
  }
  setFolderBrowserOpen(true);
}
