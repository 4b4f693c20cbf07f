/**
 * Which folders open (#9): a snapshot folder (tapedeck.json or calls/), or one the user chose
 * explicitly (native dialog, command line, recent) or created with createFolder; system folders
 * never. The folder browser marks exactly the folders openFolder accepts.
 */
import { mkdir, readFile, readdir, realpath, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DesktopHost } from '../proxy/host/desktop-host.js';
import { systemFolderProblem, type Places } from '../proxy/host/folder-rule.js';
import { startUiServer } from '../proxy/ui-server.js';
import { hostFixture, type HostFixture } from './support/host-fixture.js';

let fx: HostFixture;
beforeEach(async () => {
  fx = await hostFixture();
});
afterEach(() => fx.cleanup());

describe('openFolder', () => {
  it('refuses system folders, so nothing outside a snapshot can be read through it', async () => {
    const home = await realpath(homedir());
    const tmp = await realpath(tmpdir());
    for (const dir of ['/', '/etc', '/usr', '/usr/share', '/proc', '/dev', home, tmp]) {
      await expect(fx.host.openFolder(dir), dir).rejects.toMatchObject({ code: 'path_outside' });
    }
    await expect(fx.host.readFile('etc/passwd')).rejects.toMatchObject({ code: 'no_folder' });
  });

  it('opens snapshot folders only: tapedeck.json or calls/', async () => {
    const plain = path.join(fx.base, 'plain');
    const manifestOnly = path.join(fx.base, 'manifest-only');
    const callsOnly = path.join(fx.base, 'calls-only');
    await mkdir(plain);
    await writeFile(path.join(plain, 'notes.json'), '{}');
    await mkdir(manifestOnly);
    await writeFile(path.join(manifestOnly, 'tapedeck.json'), '{ "format": "tapedeck/1" }');
    await mkdir(path.join(callsOnly, 'calls'), { recursive: true });

    await expect(fx.host.openFolder(plain)).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/not a snapshot folder/) as string,
    });
    await expect(fx.host.readFile('notes.json')).rejects.toMatchObject({ code: 'no_folder' });
    expect((await fx.host.openFolder(manifestOnly)).dir).toBe(manifestOnly);
    expect((await fx.host.openFolder(callsOnly)).dir).toBe(callsOnly);
  });

  it('opens any non-system folder the user chose in the native dialog, on the command line or before', async () => {
    const picked = path.join(fx.base, 'picked');
    const given = path.join(fx.base, 'given');
    const other = path.join(fx.base, 'other');
    for (const d of [picked, given, other]) await mkdir(d);
    const pick: { next: string } = { next: picked };
    const host = new DesktopHost({
      mode: 'electron',
      configDir: fx.configDir,
      initialFolder: given,
      pickFolder: () => Promise.resolve(pick.next),
    });
    try {
      await expect(host.openFolder(picked)).rejects.toMatchObject({ code: 'bad_request' });
      expect(await host.pickFolder()).toBe(picked);
      expect((await host.openFolder(picked)).calls).toEqual([]);
      expect((await host.openFolder(given)).dir).toBe(given);
      await expect(host.openFolder(other)).rejects.toMatchObject({ code: 'bad_request' });
      // Even a dialog choice cannot open a system folder.
      pick.next = '/';
      await host.pickFolder();
      await expect(host.openFolder('/')).rejects.toMatchObject({ code: 'path_outside' });
    } finally {
      await host.close();
    }
    // Opened once, it is a recent folder: it opens again after a restart.
    const again = new DesktopHost({ mode: 'electron', configDir: fx.configDir });
    try {
      expect((await again.openFolder(picked)).dir).toBe(picked);
    } finally {
      await again.close();
    }
  });
});

describe('createFolder', () => {
  it('makes tapedeck.json and calls/ in a new folder, which then opens', async () => {
    const made = await fx.host.createFolder(path.join(fx.base, 'new-snap'));
    expect(made).toBe(path.join(fx.base, 'new-snap'));
    expect((await readdir(made)).sort()).toEqual(['calls', 'tapedeck.json']);
    expect(JSON.parse(await readFile(path.join(made, 'tapedeck.json'), 'utf8'))).toMatchObject({
      format: 'tapedeck/2',
    });
    const info = await fx.host.openFolder(made);
    expect(info).toMatchObject({ dir: made, calls: [], errors: [] });
  });

  it('accepts an empty folder and an existing snapshot, refuses a folder with things in it', async () => {
    const empty = path.join(fx.base, 'empty');
    await mkdir(empty);
    expect(await fx.host.createFolder(empty)).toBe(empty);
    expect(await fx.host.createFolder(fx.snap)).toBe(fx.snap);
    const full = path.join(fx.base, 'full');
    await mkdir(full);
    await writeFile(path.join(full, 'private.txt'), 'mine');
    await expect(fx.host.createFolder(full)).rejects.toMatchObject({ code: 'bad_request' });
    expect(await readdir(full)).toEqual(['private.txt']);
  });

  it('refuses system folders, a missing parent and relative paths', async () => {
    for (const dir of ['/', '/etc/tapedeck-snap', '/usr/local/snap', await realpath(homedir())]) {
      await expect(fx.host.createFolder(dir), dir).rejects.toMatchObject({ code: 'path_outside' });
    }
    await expect(
      fx.host.createFolder(path.join(fx.base, 'no', 'such', 'parent')),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(fx.host.createFolder('relative/snap')).rejects.toMatchObject({
      code: 'bad_request',
    });
    expect(await readdir(fx.base)).not.toContain('no');
  });
});

describe('the folder browser and openFolder follow one rule', () => {
  it('marks as snapshots exactly the folders that open', async () => {
    await mkdir(path.join(fx.base, 'plain'));
    await mkdir(path.join(fx.base, 'calls-only', 'calls'), { recursive: true });
    await mkdir(path.join(fx.base, 'manifest-only'));
    await writeFile(
      path.join(fx.base, 'manifest-only', 'tapedeck.json'),
      '{"format":"tapedeck/1"}',
    );
    await fx.host.createFolder(path.join(fx.base, 'created'));
    const listing = await fx.host.listDir(fx.base);
    expect(listing.entries.length).toBeGreaterThanOrEqual(5);
    for (const entry of listing.entries) {
      const opened = await fx.host.openFolder(entry.path).then(
        () => true,
        () => false,
      );
      expect(opened, entry.name).toBe(entry.isSnapshot);
    }
    const top = await fx.host.listDir('/');
    for (const entry of top.entries) expect(entry.isSnapshot, entry.name).toBe(false);
  });

  it('over HTTP: / is refused (403) and nothing can be read; a created folder opens', async () => {
    const server = await startUiServer({
      configDir: fx.configDir,
      browseStart: fx.base,
      rendererDir: path.join(fx.base, 'none'),
      log: () => undefined,
    });
    try {
      const origin = `127.0.0.1:${server.port}`;
      const login = await fetch(server.url, { redirect: 'manual', headers: { host: origin } });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const call = (method: string, args: unknown[]) =>
        fetch(`${server.origin}/api/${method}`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify(args),
        });
      const root = await call('openFolder', ['/']);
      expect(root.status).toBe(403);
      expect(await root.json()).toMatchObject({ error: { code: 'path_outside' } });
      expect((await call('readFile', ['etc/passwd'])).status).toBe(409);
      const made = await call('createFolder', [path.join(fx.base, 'via-http')]);
      expect(made.status).toBe(200);
      const dir = ((await made.json()) as { result: string }).result;
      expect((await call('openFolder', [dir])).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('system folders, by platform', () => {
  const posix: Places = { platform: 'linux', home: '/home/ann', tmp: '/tmp' };
  const mac: Places = { platform: 'darwin', home: '/Users/ann', tmp: '/private/var/folders/x/T' };
  const windows: Places = {
    platform: 'win32',
    home: 'C:\\Users\\ann',
    tmp: 'C:\\Users\\ann\\AppData\\Local\\Temp',
  };
  const refused: [Places, string][] = [
    [posix, '/'],
    [posix, '/etc'],
    [posix, '/etc/ssl/private'],
    [posix, '/proc/1'],
    [posix, '/usr/local/lib'],
    [posix, '/home'],
    [posix, '/home/ann'],
    [posix, '/home/ann/'],
    [posix, '/tmp'],
    [posix, '/var'],
    [posix, '/mnt'],
    [mac, '/Users'],
    [mac, '/users/ANN'],
    [mac, '/System/Library'],
    [mac, '/private/tmp'],
    [mac, '/private/var/folders/x/T'],
    [windows, 'C:\\'],
    [windows, 'D:\\'],
    [windows, 'c:\\windows\\system32'],
    [windows, 'C:\\Users'],
    [windows, 'C:\\Users\\Ann'],
    [windows, 'C:\\Program Files'],
    [windows, '\\\\server\\share'],
  ];
  for (const [places, dir] of refused) {
    it(`refuses ${dir} (${places.platform})`, () => {
      expect(systemFolderProblem(dir, places)).not.toBeNull();
    });
  }
  const allowed: [Places, string][] = [
    [posix, '/home/ann/projects/snap'],
    [posix, '/tmp/tapedeck-e2e-x/snap'],
    [posix, '/mnt/data/snap'],
    [posix, '/var/lib/app/snap'],
    [posix, '/etcetera'],
    [mac, '/Users/ann/snap'],
    [windows, 'C:\\Users\\ann\\snap'],
    [windows, 'D:\\snaps\\one'],
    [windows, '\\\\server\\share\\snap'],
  ];
  for (const [places, dir] of allowed) {
    it(`allows ${dir} (${places.platform})`, () => {
      expect(systemFolderProblem(dir, places)).toBeNull();
    });
  }
});
