/**
 * S1: every path the UI sends stays inside the opened folder (read, save); the folder browser
 * stays out of system trees (list). Escapes by "..", %-encoding, absolute paths, sibling
 * prefixes, symlinks and NUL bytes are refused with `path_outside`, and a canary file outside is
 * never read or changed.
 */
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInside, relativePathProblem } from '../proxy/host/confine.js';
import { DesktopHost } from '../proxy/host/desktop-host.js';
import { OUTSIDE_REASON } from '../proxy/host/load-folder.js';
import { hostFixture, type HostFixture } from './support/host-fixture.js';

const CANARY = '{"canary": "CANARY-SECRET-7f3a"}\n';
const SIBLING = '{"sibling": "SIBLING-SECRET-91bc"}\n';

let fx: HostFixture;
let canaryFile: string;
let canaryMtime: number;

beforeEach(async () => {
  fx = await hostFixture();
  const outside = path.join(fx.base, 'outside');
  await mkdir(outside);
  canaryFile = path.join(outside, 'canary.json');
  await writeFile(canaryFile, CANARY);
  canaryMtime = (await stat(canaryFile)).mtimeMs;
  // A sibling whose name starts with the opened folder's name: `/snap2` vs `/snap`.
  await mkdir(`${fx.snap}2`);
  await writeFile(path.join(`${fx.snap}2`, 'secret.json'), SIBLING);
  await symlink(canaryFile, path.join(fx.snap, 'calls', 'link-out.json'));
  await symlink(
    path.join(`${fx.snap}2`, 'secret.json'),
    path.join(fx.snap, 'calls', 'link-sibling.json'),
  );
  await symlink(outside, path.join(fx.snap, 'linkdir'));
});

afterEach(async () => {
  expect(await readFile(canaryFile, 'utf8')).toBe(CANARY);
  expect((await stat(canaryFile)).mtimeMs).toBe(canaryMtime);
  expect(await readdir(path.dirname(canaryFile))).toEqual(['canary.json']);
  expect(await readFile(path.join(`${fx.snap}2`, 'secret.json'), 'utf8')).toBe(SIBLING);
  expect(await readdir(`${fx.snap}2`)).toEqual(['secret.json']);
  await fx.cleanup();
});

/** `<canary>` stands for the canary's absolute path, known only once beforeEach ran. */
const resolved = (rel: string) => (rel === '<canary>' ? canaryFile : rel);

function escapes(): [string, string][] {
  return [
    ['../', '../outside/canary.json'],
    ['../ into the sibling', '../snap2/secret.json'],
    ['backslash ..', '..\\outside\\canary.json'],
    ['%2e%2e', '%2e%2e/outside/canary.json'],
    ['%2E%2E%2F', '%2E%2E%2Foutside%2Fcanary.json'],
    ['double-encoded %252e', '%252e%252e/outside/canary.json'],
    ['absolute /etc/passwd', '/etc/passwd'],
    ['absolute path of the canary', '<canary>'],
    ['Windows drive', 'C:\\Windows\\win.ini'],
    ['symlink to a file outside', 'calls/link-out.json'],
    ['symlink to the sibling-prefix folder', 'calls/link-sibling.json'],
    ['through a symlinked folder', 'linkdir/canary.json'],
    ['NUL byte', 'calls/x.json\0../../outside/canary.json'],
    ['NUL byte alone', 'tapedeck.json\0'],
  ];
}

describe('S1 path confinement: readFile', () => {
  for (const [name, rel] of escapes()) {
    it(`refuses ${name}`, async () => {
      await fx.host.openFolder(fx.snap);
      const attempt = fx.host.readFile(resolved(rel));
      await expect(attempt).rejects.toMatchObject({ code: 'path_outside' });
      await expect(attempt).rejects.not.toThrow(/CANARY|SIBLING/);
    });
  }

  it('reads files inside, including through a symlink that stays inside', async () => {
    await fx.host.openFolder(fx.snap);
    await symlink(path.join(fx.snap, 'tapedeck.json'), path.join(fx.snap, 'calls', 'link-in.json'));
    const direct = await fx.host.readFile('tapedeck.json');
    const linked = await fx.host.readFile('calls/link-in.json');
    expect(linked.text).toBe(direct.text);
    expect(direct.path).toBe('tapedeck.json');
  });
});

describe('S1 path confinement: saveFile', () => {
  const extra: [string, string][] = [
    ['a new file through a symlinked folder', 'linkdir/new.json'],
    ['a new folder through a symlinked folder', 'linkdir/sub/new.json'],
  ];
  for (const [name, rel] of [...escapes(), ...extra]) {
    it(`refuses ${name}`, async () => {
      await fx.host.openFolder(fx.snap);
      const attempt = fx.host.saveFile(resolved(rel), '{"overwritten": true}\n', null);
      await expect(attempt).rejects.toMatchObject({ code: 'path_outside' });
    });
  }

  it('refuses before any folder is open', async () => {
    await expect(fx.host.saveFile('tapedeck.json', '{}', null)).rejects.toMatchObject({
      code: 'no_folder',
    });
  });
});

describe('S1 path confinement: listDir', () => {
  let host: DesktopHost;
  beforeEach(() => {
    host = new DesktopHost({ mode: 'browser', configDir: fx.configDir, browseStart: fx.snap });
  });

  const cases: [string, () => string][] = [
    ['../x', () => '../outside'],
    ['%2e%2e/x', () => '%2e%2e/outside'],
    ['/etc (a system tree)', () => '/etc'],
    ['below /etc', () => '/etc/ssl'],
    ['/proc', () => '/proc/self'],
    ['a symlink into a system tree', () => path.join(fx.snap, 'link-etc')],
    ['.. inside an absolute path', () => path.join(fx.snap, 'calls') + '/../../outside'],
    ['%2e%2e inside an absolute path', () => `${fx.snap}/%2e%2e/outside`],
    ['a NUL byte', () => `${fx.snap}\0/calls`],
  ];
  for (const [name, p] of cases) {
    it(`refuses ${name}`, async () => {
      await symlink('/etc', path.join(fx.snap, 'link-etc')).catch(() => undefined);
      await expect(host.listDir(p())).rejects.toMatchObject({ code: 'path_outside' });
    });
  }

  it('lists folders only, snapshot folders flagged, system trees and dangling links left out', async () => {
    await symlink('/etc', path.join(fx.snap, 'link-etc'));
    await symlink(path.join(fx.base, 'gone'), path.join(fx.snap, 'dangling'));
    const listing = await host.listDir();
    expect(listing.path).toBe(fx.snap);
    expect(listing.parent).toBe(fx.base);
    expect(listing.isSnapshot).toBe(true);
    expect(listing.entries.map((e) => [e.name, e.isSnapshot])).toEqual([
      ['calls', false],
      // A link to a folder elsewhere is browsable like the folder itself.
      ['linkdir', false],
      ['scenarios', false],
    ]);
  });

  it('browses the top of the file system, without the system trees', async () => {
    const top = await host.listDir('/');
    expect(top.parent).toBeNull();
    expect(top.isSnapshot).toBe(false);
    const names = top.entries.map((e) => e.name);
    expect(names).toContain('tmp');
    for (const system of ['etc', 'proc', 'sys', 'dev', 'usr']) expect(names).not.toContain(system);
  });
});

describe('S1 path confinement: opening a folder with links leading out', () => {
  it('reports the links as errors without reading them', async () => {
    const info = await fx.host.openFolder(fx.snap);
    expect(info.errors).toEqual([
      { file: 'calls/link-out.json', reason: OUTSIDE_REASON },
      { file: 'calls/link-sibling.json', reason: OUTSIDE_REASON },
    ]);
    expect(JSON.stringify(info)).not.toMatch(/CANARY|SIBLING/);
    expect(info.calls).toHaveLength(11);
  });
});

describe('confinement rules', () => {
  it('a sibling that shares the prefix is not inside', () => {
    expect(isInside('/a/snap', '/a/snap')).toBe(true);
    expect(isInside('/a/snap', '/a/snap/calls/x.json')).toBe(true);
    expect(isInside('/a/snap', '/a/snap2/x.json')).toBe(false);
    expect(isInside('/a/snap', '/a/snap-old')).toBe(false);
    expect(isInside('/', '/etc')).toBe(true);
  });

  it('names the problem', () => {
    expect(relativePathProblem('calls/000001-x.json')).toBeNull();
    expect(relativePathProblem('calls/50%25.json')).toBeNull();
    expect(relativePathProblem('calls/..')).toMatch(/"\.\."/);
    expect(relativePathProblem('%2e%2e/x')).toMatch(/once %-decoded/);
    expect(relativePathProblem('/x')).toMatch(/absolute/);
    expect(relativePathProblem('a\0b')).toMatch(/NUL/);
  });
});
