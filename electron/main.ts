/**
 * The Electron shell: one window on `app://tapedeck/`, a menu, the native folder dialog, and IPC
 * handlers that call the same DesktopHost the browser mode serves. Run: electron dist/electron/main.js [folder]
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, app, dialog, nativeTheme } from 'electron';
import { configDir as defaultConfigDir } from '../proxy/host/config-dir.js';
import { DesktopHost } from '../proxy/host/desktop-host.js';
import { rendererDir } from '../proxy/host/package-root.js';
import { RecentFolders } from '../proxy/host/recent.js';
import { registerAppScheme, serveApp } from './app-protocol.js';
import { APP_ORIGIN, CHANNELS } from './channels.js';
import { forwardChanges, forwardMockEvents, registerIpc } from './ipc.js';
import { buildMenu } from './menu.js';
import { lockDown } from './security.js';
import { loadWindowState, trackWindowState } from './window-state.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const configDir = defaultConfigDir();

registerAppScheme();
app.enableSandbox();

/** The folder argument: what follows this script on the command line, minus Chromium switches. */
function folderArgument(argv: readonly string[]): string | null {
  const self = fileURLToPath(import.meta.url);
  const at = argv.findIndex((a, i) => i > 0 && path.resolve(a) === self);
  const rest = argv
    .slice(at >= 0 ? at + 1 : app.isPackaged ? 1 : 2)
    .filter((a) => !a.startsWith('-'));
  const last = rest.at(-1);
  return last ? path.resolve(last) : null;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function initialFolder(recent: RecentFolders): Promise<string | null> {
  const given = folderArgument(process.argv);
  if (given) {
    if (await isDir(given)) return given;
    process.stderr.write(`tapedeck: folder not found: ${given}; showing the start page\n`);
    return null;
  }
  return (await recent.list())[0] ?? null;
}

async function start(): Promise<void> {
  nativeTheme.themeSource = 'system';
  lockDown();
  serveApp(rendererDir());

  let win: BrowserWindow | null = null;
  const host = new DesktopHost({
    mode: 'electron',
    configDir,
    initialFolder: await initialFolder(new RecentFolders(configDir)),
    pickFolder: async () => {
      if (!win) return null;
      const picked = await dialog.showOpenDialog(win, {
        title: 'Open a snapshot folder',
        properties: ['openDirectory', 'createDirectory'],
      });
      return picked.canceled ? null : (picked.filePaths[0] ?? null);
    },
  });

  const refreshMenu = async () => {
    const recent = await host.recentFolders();
    Menu.setApplicationMenu(
      buildMenu({
        recent,
        devTools: !app.isPackaged,
        openFolder: () => win?.webContents.send(CHANNELS.menu, 'open-folder'),
        // The renderer opens `initialFolder` when it loads: a reload opens the chosen folder.
        openRecent: (dir) => {
          host.initialFolder = dir;
          win?.webContents.reload();
        },
      }),
    );
  };

  registerIpc(
    host,
    () => win,
    (method) => {
      if (method === 'openFolder') void refreshMenu();
    },
  );
  forwardChanges(host, () => win);
  forwardMockEvents(host, () => win);
  await refreshMenu();

  const state = await loadWindowState(configDir);
  win = new BrowserWindow({
    ...state.bounds,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Tapedeck',
    // Linux and Windows show it in the title bar and task bar (macOS takes the bundle's icon).
    icon: path.join(rendererDir(), 'icon-512.png'),
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#1e1e1e' : '#ffffff',
    webPreferences: {
      preload: path.join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A middle click fires `auxclick`, which can open a link in a new window without the
      // `click` path; setWindowOpenHandler denies those too, this removes the path altogether.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (state.maximized) win.maximize();
  trackWindowState(win, configDir);
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    win = null;
  });
  app.on('before-quit', () => void host.close());
  await win.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('window-all-closed', () => app.quit());
app.whenReady().then(start, (e: unknown) => {
  process.stderr.write(`tapedeck: ${(e as Error)?.stack ?? String(e)}\n`);
  app.exit(1);
});
