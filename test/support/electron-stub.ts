/**
 * A stand-in for the `electron` module, recording what the shell asks of it, so the shell's own
 * code (window options, IPC checks, protocol, navigation rules, menu, preload) runs in Node where
 * no Electron binary exists. Only what electron/ uses is modelled.
 */
import { EventEmitter } from 'node:events';

type Handler = (...args: unknown[]) => unknown;

export class FakeFrame {
  parent: FakeFrame | null = null;
  constructor(public url: string) {}
}

export class FakeWebContents extends EventEmitter {
  sent: [string, unknown][] = [];
  reloads = 0;
  mainFrame = new FakeFrame('app://tapedeck/index.html');
  windowOpenHandler: Handler | null = null;
  send(channel: string, value: unknown): void {
    this.sent.push([channel, value]);
  }
  reload(): void {
    this.reloads++;
  }
  setWindowOpenHandler(h: Handler): void {
    this.windowOpenHandler = h;
  }
}

export const recorded = {
  schemes: [] as unknown[],
  sandboxEnabled: false,
  protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
  ipcHandlers: new Map<string, Handler>(),
  appEvents: new Map<string, Handler[]>(),
  windows: [] as FakeWindow[],
  menu: null as unknown,
  opened: [] as string[],
  permissionRequest: null as Handler | null,
  permissionCheck: null as Handler | null,
  beforeRequest: null as Handler | null,
  exposed: new Map<string, Record<string, unknown>>(),
  invoked: [] as unknown[][],
  invokeReply: null as unknown,
  rendererListeners: new Map<string, Handler[]>(),
};

export class FakeWindow extends EventEmitter {
  webContents = new FakeWebContents();
  loaded: string[] = [];
  constructor(public options: Record<string, unknown>) {
    super();
    recorded.windows.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return false;
  }
  show(): void {}
  maximize(): void {}
  isMaximized(): boolean {
    return false;
  }
  getNormalBounds() {
    return { x: 0, y: 0, width: 1280, height: 820 };
  }
}

export const electronStub = {
  app: {
    isPackaged: false,
    enableSandbox: () => {
      recorded.sandboxEnabled = true;
    },
    whenReady: () => Promise.resolve(),
    on: (event: string, h: Handler) => {
      recorded.appEvents.set(event, [...(recorded.appEvents.get(event) ?? []), h]);
    },
    quit: () => undefined,
    exit: () => undefined,
  },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => recorded.schemes.push(...schemes),
    handle: (scheme: string, h: (req: Request) => Promise<Response>) =>
      recorded.protocolHandlers.set(scheme, h),
  },
  ipcMain: {
    handle: (channel: string, h: Handler) => recorded.ipcHandlers.set(channel, h),
  },
  BrowserWindow: FakeWindow,
  Menu: {
    buildFromTemplate: (template: unknown) => ({ template }),
    setApplicationMenu: (menu: unknown) => {
      recorded.menu = menu;
    },
  },
  dialog: {
    showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
    showMessageBoxSync: () => 1,
  },
  nativeTheme: { themeSource: 'light', shouldUseDarkColors: false },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (h: Handler) => {
        recorded.permissionRequest = h;
      },
      setPermissionCheckHandler: (h: Handler) => {
        recorded.permissionCheck = h;
      },
      webRequest: {
        onBeforeRequest: (h: Handler) => {
          recorded.beforeRequest = h;
        },
      },
    },
  },
  shell: {
    openExternal: (url: string) => {
      recorded.opened.push(url);
      return Promise.resolve();
    },
  },
  screen: {
    getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
  },
  // The preload's side.
  contextBridge: {
    exposeInMainWorld: (key: string, value: Record<string, unknown>) =>
      recorded.exposed.set(key, value),
  },
  ipcRenderer: {
    invoke: (...args: unknown[]) => {
      recorded.invoked.push(args);
      return Promise.resolve(recorded.invokeReply);
    },
    on: (channel: string, h: Handler) => {
      recorded.rendererListeners.set(channel, [
        ...(recorded.rendererListeners.get(channel) ?? []),
        h,
      ]);
    },
    off: (channel: string, h: Handler) => {
      recorded.rendererListeners.set(
        channel,
        (recorded.rendererListeners.get(channel) ?? []).filter((x) => x !== h),
      );
    },
  },
  webUtils: {
    getPathForFile: (file: { fakePath?: string }) => file.fakePath ?? '',
  },
};
