/** Recent folders, app info, schemas, the sample's copy, the folder browser and opening folders. */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DesktopHost } from '../proxy/host/desktop-host.js';
import { MAX_RECENT, RECENT_FILE } from '../proxy/host/recent.js';
import { VERSION } from '../proxy/version.js';
import { hostFixture, sampleDir, type HostFixture } from './support/host-fixture.js';

let fx: HostFixture;
beforeEach(async () => {
  fx = await hostFixture();
});
afterEach(() => fx.cleanup());

async function folders(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const dir = path.join(fx.base, 'many', `f${String(i).padStart(2, '0')}`);
    // A calls/ folder makes it a snapshot folder, which openFolder accepts.
    await mkdir(path.join(dir, 'calls'), { recursive: true });
    out.push(dir);
  }
  return out;
}

describe('recentFolders', () => {
  it('lists opened folders most recent first, once each, at most ten', async () => {
    const dirs = await folders(12);
    for (const d of dirs) await fx.host.openFolder(d);
    await fx.host.openFolder(dirs[3]!);
    const recent = await fx.host.recentFolders();
    expect(recent).toHaveLength(MAX_RECENT);
    expect(recent[0]).toBe(dirs[3]);
    expect(recent.slice(1)).toEqual(
      [...dirs]
        .reverse()
        .filter((d) => d !== dirs[3])
        .slice(0, 9),
    );
  });

  it('survives a restart and drops folders that no longer exist', async () => {
    const [a, b, c] = await folders(3);
    for (const d of [a!, b!, c!]) await fx.host.openFolder(d);
    await rm(b!, { recursive: true });
    const again = new DesktopHost({ mode: 'electron', configDir: fx.configDir });
    expect(await again.recentFolders()).toEqual([c, a]);
    const stored = JSON.parse(
      await readFile(path.join(fx.configDir, RECENT_FILE), 'utf8'),
    ) as unknown;
    expect(stored).toEqual({ folders: [c, b, a] });
  });

  it('starts empty when the file is missing or garbage', async () => {
    expect(await fx.host.recentFolders()).toEqual([]);
    await writeFile(path.join(fx.configDir, RECENT_FILE), '{ not json');
    expect(await fx.host.recentFolders()).toEqual([]);
    await fx.host.openFolder(fx.snap);
    expect(await fx.host.recentFolders()).toEqual([fx.snap]);
  });

  it('records the real path of a folder opened through a symlink', async () => {
    const { symlink } = await import('node:fs/promises');
    const link = path.join(fx.base, 'snap-link');
    await symlink(fx.snap, link);
    const info = await fx.host.openFolder(link);
    expect(info.dir).toBe(fx.snap);
    expect(await fx.host.recentFolders()).toEqual([fx.snap]);
  });
});

describe('openFolder', () => {
  it('returns the manifest, the calls in seq order and the folder name', async () => {
    const info = await fx.host.openFolder(fx.snap);
    expect(info.name).toBe('snap');
    // The fixture's v1 manifest, as read: upgraded to the current format (the file is unchanged).
    expect(info.manifest?.format).toBe('tapedeck/2');
    expect(info.calls.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(info.errors).toEqual([]);
  });

  it('refuses missing folders, files and relative paths', async () => {
    await expect(fx.host.openFolder(path.join(fx.base, 'nope'))).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(fx.host.openFolder(path.join(fx.snap, 'tapedeck.json'))).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(fx.host.openFolder('snap')).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('appInfo and schemas', () => {
  it('names the version, mode, platform and the folder from the command line', async () => {
    const host = new DesktopHost({
      mode: 'browser',
      configDir: fx.configDir,
      initialFolder: fx.snap,
    });
    expect(await host.appInfo()).toEqual({
      version: VERSION,
      mode: 'browser',
      platform: process.platform,
      initialFolder: fx.snap,
    });
    expect((await fx.host.appInfo()).initialFolder).toBeNull();
  });

  it('serves the JSON Schemas by name', async () => {
    const schemas = (await fx.host.schemas()) as Record<
      string,
      { properties?: Record<string, unknown> }
    >;
    expect(Object.keys(schemas).sort()).toEqual([
      'call',
      'faults',
      'inbound',
      'manifest',
      'report',
      'run',
      'samples',
      'scenario',
      'signature',
    ]);
    expect(Object.keys(schemas['call']?.properties ?? {})).toEqual(
      expect.arrayContaining(['id', 'request', 'response', 'faults']),
    );
  });
});

describe('sampleFolder', () => {
  it('hands out a copy that keeps edits until the bundled sample changes', async () => {
    const bundled = path.join(fx.base, 'pkg', 'demo');
    await cp(sampleDir, bundled, { recursive: true });
    const host = new DesktopHost({
      mode: 'browser',
      configDir: fx.configDir,
      sampleSource: bundled,
    });
    const copy = await host.sampleFolder();
    expect(copy.startsWith(fx.configDir)).toBe(true);
    expect(path.basename(copy)).toBe('demo');
    expect((await host.openFolder(copy)).calls).toHaveLength(11);

    await writeFile(
      path.join(copy, 'tapedeck.json'),
      '{ "format": "tapedeck/1", "notes": "mine" }\n',
    );
    expect(await host.sampleFolder()).toBe(copy);
    expect(await readFile(path.join(copy, 'tapedeck.json'), 'utf8')).toMatch(/mine/);

    await writeFile(
      path.join(bundled, 'tapedeck.json'),
      '{ "format": "tapedeck/1", "notes": "new sample" }\n',
    );
    await host.sampleFolder();
    expect(await readFile(path.join(copy, 'tapedeck.json'), 'utf8')).toMatch(/new sample/);
    expect(await readFile(path.join(sampleDir, 'tapedeck.json'), 'utf8')).not.toMatch(
      /mine|new sample/,
    );
  });
});

describe('listDir', () => {
  it('starts at the browse start, lists folders only and flags snapshots', async () => {
    await mkdir(path.join(fx.base, 'plain'));
    await mkdir(path.join(fx.base, 'calls-only', 'calls'), { recursive: true });
    await writeFile(path.join(fx.base, 'a-file.json'), '{}');
    const listing = await fx.host.listDir();
    expect(listing.path).toBe(fx.base);
    expect(listing.parent).toBe(path.dirname(fx.base));
    expect(listing).toMatchObject({ isSnapshot: false, canCreateIn: true });
    expect(listing.entries).toEqual([
      { name: 'calls-only', path: path.join(fx.base, 'calls-only'), isSnapshot: true },
      { name: 'config', path: path.join(fx.base, 'config'), isSnapshot: false },
      { name: 'plain', path: path.join(fx.base, 'plain'), isSnapshot: false },
      { name: 'snap', path: fx.snap, isSnapshot: true },
    ]);
    const inner = await fx.host.listDir(fx.snap);
    expect(inner.parent).toBe(fx.base);
    expect(inner.entries.map((e) => e.name)).toEqual(['calls', 'scenarios']);
  });

  it('answers not_found for a missing folder', async () => {
    await expect(fx.host.listDir(path.join(fx.base, 'missing'))).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
