/**
 * The Electron shell's own code, run in Node against a stand-in `electron` module (no binary can
 * run here; e2e/electron.e2e.test.ts drives the real one where it exists): window security options,
 * the IPC sender check, the app:// protocol, navigation and new-window rules, permissions, the menu,
 * and the built preload's surface.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, PRELOAD_KEYS } from '../electron/channels.js';
import { RPC_METHODS } from '../shared/desktop-api.js';
import { FakeFrame, FakeWebContents, recorded, type FakeWindow } from './support/electron-stub.js';
import { hostFixture, sampleDir, type HostFixture } from './support/host-fixture.js';

vi.mock('electron', async () => (await import('./support/electron-stub.js')).electronStub);

const root = fileURLToPath(new URL('..', import.meta.url));
let fx: HostFixture;
let win: FakeWindow;
const savedArgv = process.argv;

beforeAll(async () => {
  fx = await hostFixture();
  vi.stubEnv('TAPEDECK_CONFIG_DIR', fx.configDir);
  process.argv = [process.execPath, path.join(root, 'electron', 'main.ts'), fx.snap];
  await import('../electron/main.js');
  await vi.waitFor(() => expect(recorded.windows[0]?.loaded).toHaveLength(1));
  win = recorded.windows[0]!;
});

afterAll(async () => {
  process.argv = savedArgv;
  vi.unstubAllEnvs();
  await fx.cleanup();
});

type Reply =
  { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

function invoke(
  method: string,
  args: unknown[],
  from: Partial<{ sender: unknown; senderFrame: unknown }> = {},
): Promise<Reply> {
  const handler = recorded.ipcHandlers.get(CHANNELS.rpc)!;
  const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame, ...from };
  return handler(event, method, args) as Promise<Reply>;
}

describe('the window', () => {
  it('runs the renderer isolated and sandboxed, from app://tapedeck', () => {
    const prefs = win.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // Middle clicks must not open links in new windows (Electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
    });
    expect(prefs['preload']).toBe(path.join(root, 'electron', 'preload.cjs'));
    expect(win.options['icon']).toBe(path.join(root, 'dist', 'renderer', 'icon-512.png'));
    expect(win.loaded).toEqual(['app://tapedeck/index.html']);
    expect(recorded.sandboxEnabled).toBe(true);
    expect(recorded.schemes).toEqual([
      {
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true }) as unknown,
      },
    ]);
  });
});

describe('IPC', () => {
  it('answers the app page in the main frame', async () => {
    expect(await invoke('appInfo', [])).toMatchObject({
      ok: true,
      result: { mode: 'electron', initialFolder: fx.snap },
    });
  });

  it('refuses a sub-frame, a foreign page and another window', async () => {
    const sub = new FakeFrame('app://tapedeck/index.html');
    sub.parent = win.webContents.mainFrame;
    for (const from of [
      { senderFrame: sub },
      { senderFrame: null },
      { sender: new FakeWebContents() },
    ]) {
      expect(await invoke('appInfo', [], from)).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
    }
    // The main frame itself, navigated away from the app.
    const main = win.webContents.mainFrame;
    for (const url of ['https://evil.example/', 'app://other/index.html', 'file:///tmp/x.html']) {
      main.url = url;
      expect(await invoke('appInfo', []), url).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
    }
    main.url = 'app://tapedeck/index.html';
  });

  it('goes through the same host rules: confinement, argument checks', async () => {
    expect(await invoke('openFolder', [fx.snap])).toMatchObject({ ok: true });
    expect(await invoke('readFile', ['../config/recent-folders.json'])).toMatchObject({
      ok: false,
      error: { code: 'path_outside' },
    });
    expect(await invoke('readFile', [1])).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(await invoke('shell', [])).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('forwards change events to the window', async () => {
    const { writeFile } = await import('node:fs/promises');
    await invoke('openFolder', [fx.snap]);
    win.webContents.sent.length = 0;
    await writeFile(
      path.join(fx.snap, 'tapedeck.json'),
      '{ "format": "tapedeck/1", "notes": "ipc" }',
    );
    await vi.waitFor(() =>
      expect(win.webContents.sent).toContainEqual([
        CHANNELS.change,
        {
          kind: 'manifest',
          path: 'tapedeck.json',
          manifest: { format: 'tapedeck/2', notes: 'ipc' },
        },
      ]),
    );
  });
});

describe('the app:// protocol', () => {
  const fetchApp = (url: string) => recorded.protocolHandlers.get('app')!(new Request(url));

  it('sends the CSP with every page and serves only its own host', async () => {
    const page = await fetchApp('app://tapedeck/index.html');
    expect(page.headers.get('content-security-policy')).toMatch(
      /^default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'/,
    );
    expect([200, 503]).toContain(page.status);
    expect((await fetchApp('app://elsewhere/index.html')).status).toBe(404);
    const escape = await fetchApp('app://tapedeck/assets/%2e%2e/%2e%2e/%2e%2e/package.json');
    expect(await escape.text()).not.toContain('"name": "tapedeck"');
  });
});

describe('navigation, new windows and permissions', () => {
  function contents(): FakeWebContents {
    const c = new FakeWebContents();
    for (const h of recorded.appEvents.get('web-contents-created') ?? []) h({}, c);
    return c;
  }
  function navigate(c: FakeWebContents, url: string): boolean {
    let prevented = false;
    c.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
    return prevented;
  }

  it('denies leaving app://tapedeck; only https links go to the browser', () => {
    const c = contents();
    recorded.opened.length = 0;
    expect(navigate(c, 'app://tapedeck/index.html#/calls')).toBe(false);
    expect(navigate(c, 'https://example.com/')).toBe(true);
    expect(navigate(c, 'file:///etc/passwd')).toBe(true);
    expect(navigate(c, 'http://127.0.0.1:8080/')).toBe(true);
    expect(c.windowOpenHandler?.({ url: 'https://docs.example/' })).toEqual({ action: 'deny' });
    expect(c.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(c.windowOpenHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(recorded.opened).toEqual(['https://example.com/', 'https://docs.example/']);
  });

  it('grants no permission but clipboard writes, and blocks network requests', () => {
    const asked = (p: string) => {
      let granted: boolean | undefined;
      recorded.permissionRequest?.(null, p, (g: boolean) => (granted = g));
      return granted;
    };
    expect(asked('media')).toBe(false);
    expect(asked('geolocation')).toBe(false);
    expect(asked('clipboard-sanitized-write')).toBe(true);
    expect(recorded.permissionCheck?.(null, 'notifications')).toBe(false);
    const cancelled = (url: string) => {
      let answer: { cancel: boolean } | undefined;
      recorded.beforeRequest?.({ url }, (a: { cancel: boolean }) => (answer = a));
      return answer?.cancel;
    };
    for (const url of [
      'https://example.com/x.js',
      'http://127.0.0.1:9/',
      'ws://evil.example/',
      'file:///etc/passwd',
    ])
      expect(cancelled(url), url).toBe(true);
    expect(cancelled('app://tapedeck/assets/index.js')).toBe(false);
    expect(cancelled('devtools://devtools/bundled/inspector.html')).toBe(false);
  });
});

describe('the menu', () => {
  type Item = { label?: string; accelerator?: string; click?: () => void; submenu?: Item[] };
  const file = () =>
    (recorded.menu as { template: Item[] }).template.find((m) => m.label === '&File')?.submenu ??
    [];

  it('File → Open Folder… (Ctrl/Cmd+O) asks the renderer to open a folder', () => {
    const open = file().find((i) => i.label === 'Open Folder…')!;
    expect(open.accelerator).toBe('CmdOrCtrl+O');
    win.webContents.sent.length = 0;
    open.click?.();
    expect(win.webContents.sent).toEqual([[CHANNELS.menu, 'open-folder']]);
  });

  it('Open Recent lists opened folders; picking one reloads the window on it', async () => {
    await invoke('openFolder', [sampleDir]);
    await vi.waitFor(() =>
      expect(file().find((i) => i.label === 'Open Recent')?.submenu?.[0]?.label).toContain(
        sampleDir,
      ),
    );
    const reloads = win.webContents.reloads;
    expect(await invoke('appInfo', [])).toMatchObject({ result: { initialFolder: fx.snap } });
    file()
      .find((i) => i.label === 'Open Recent')!
      .submenu![0]!.click?.();
    expect(win.webContents.reloads).toBe(reloads + 1);
    expect(await invoke('appInfo', [])).toMatchObject({ result: { initialFolder: sampleDir } });
  });
});

describe('the built preload (dist/electron/preload.cjs)', () => {
  let api: Record<string, (...a: unknown[]) => unknown>;
  beforeAll(async () => {
    const file = path.join(root, 'dist', 'electron', 'preload.cjs');
    const code = await readFile(file, 'utf8').catch(() => {
      throw new Error('dist/electron/preload.cjs is missing: run `npm run build:electron`');
    });
    const { electronStub } = await import('./support/electron-stub.js');
    const required: string[] = [];
    const sandboxedRequire = (id: string) => {
      required.push(id);
      if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
      return electronStub;
    };
    const module = { exports: {} };
    new Function('require', 'module', 'exports', code)(sandboxedRequire, module, module.exports);
    expect(required).toEqual(['electron']);
    expect([...recorded.exposed.keys()]).toEqual(['api']);
    api = recorded.exposed.get('api') as typeof api;
  });

  it('exposes exactly the DesktopApi keys, no ipcRenderer', () => {
    expect(Object.keys(api).sort()).toEqual([...PRELOAD_KEYS].sort());
    expect(PRELOAD_KEYS).toEqual(expect.arrayContaining([...RPC_METHODS]));
  });

  it('calls over one channel and turns an error reply into a thrown Error', async () => {
    recorded.invokeReply = { ok: true, result: { version: 'x' } };
    expect(await api['appInfo']!()).toEqual({ version: 'x' });
    await api['saveFile']!('a.json', '{}', null);
    await api['listDir']!();
    expect(recorded.invoked.slice(-3)).toEqual([
      [CHANNELS.rpc, 'appInfo', []],
      [CHANNELS.rpc, 'saveFile', ['a.json', '{}', null]],
      [CHANNELS.rpc, 'listDir', [null]],
    ]);
    recorded.invokeReply = {
      ok: false,
      error: { message: 'refused "../x"', code: 'path_outside' },
    };
    await expect(api['readFile']!('../x')).rejects.toThrow('refused "../x"');
  });

  it('hands listeners the value only, never the IPC event, and unsubscribes', () => {
    const got: unknown[][] = [];
    const off = api['onChange']!((...a: unknown[]) => got.push(a)) as () => void;
    const listener = recorded.rendererListeners.get(CHANNELS.change)![0]!;
    listener({ sender: 'ipcRenderer would leak here' }, { kind: 'removed', path: 'calls/x.json' });
    expect(got).toEqual([[{ kind: 'removed', path: 'calls/x.json' }]]);
    off();
    expect(recorded.rendererListeners.get(CHANNELS.change)).toEqual([]);
    expect(api['pathForFile']!({ fakePath: '/dropped/folder' })).toBe('/dropped/folder');
  });
});
