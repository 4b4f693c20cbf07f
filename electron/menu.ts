/** The application menu: File (Open Folder…, Open Recent, Quit), Edit, View, Window. */
import path from 'node:path';
import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  recent: string[];
  openFolder(): void;
  openRecent(dir: string): void;
  devTools: boolean;
}

export function buildMenu(a: MenuActions): Menu {
  const mac = process.platform === 'darwin';
  const recent: MenuItemConstructorOptions[] = a.recent.length
    ? a.recent.map((dir) => ({
        label: `${path.basename(dir)} — ${dir}`,
        click: () => a.openRecent(dir),
      }))
    : [{ label: 'No recent folders', enabled: false }];
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open Folder…', accelerator: 'CmdOrCtrl+O', click: a.openFolder },
        { label: 'Open Recent', submenu: recent },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        ...(a.devTools ? [{ role: 'toggleDevTools' as const }] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
