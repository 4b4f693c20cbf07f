/**
 * The announce file (docs/mock-link.md): a listening mock writes `.tapedeck/mock.json` (mode 0600,
 * its URL, token and pid) beside a `.gitignore` of `*`; it removes the file on close, but not when
 * another mock has taken the folder over since; and writing it never looks like a snapshot change.
 */
import { readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isWatched } from '../proxy/host/watch.js';
import { announce } from '../proxy/mock/announce.js';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import { watchFiles } from '../proxy/store/watch-folder.js';
import type { MockAnnouncement } from '../shared/mock-link.js';
import { recordSnapshot, snapshotWith } from './support/fault-sdk.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
beforeAll(async () => {
  golden = await recordSnapshot();
}, 60_000);
afterAll(() => rm(golden.dir, { recursive: true, force: true }));

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function folder(): Promise<string> {
  const dir = await snapshotWith(golden, {});
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function mockOn(dir: string, host?: string): Promise<RunningMock> {
  const mock = await startMockServer({
    dir,
    port: 0,
    watch: false,
    log: () => undefined,
    ...(host ? { host } : {}),
  });
  cleanups.push(() => mock.close());
  return mock;
}

const announceFile = (dir: string) => path.join(dir, '.tapedeck', 'mock.json');
const readAnnounce = async (dir: string) =>
  JSON.parse(await readFile(announceFile(dir), 'utf8')) as MockAnnouncement;

describe('the announce file', () => {
  it('is written once the mock listens: URL, token, pid, mode 0600, and a .gitignore of *', async () => {
    const dir = await folder();
    const mock = await mockOn(dir);
    const a = await readAnnounce(dir);
    expect(a).toMatchObject({
      url: `http://127.0.0.1:${mock.port}`,
      token: mock.token,
      pid: process.pid,
      dir: await realpath(dir),
      scenario: null,
      recordMisses: false,
    });
    expect(a.token).toMatch(/^[0-9a-f]{64}$/);
    expect(Number.isNaN(Date.parse(a.startedAt))).toBe(false);
    expect((await stat(announceFile(dir))).mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(dir, '.tapedeck', '.gitignore'), 'utf8')).toBe('*\n');
  });

  it('announces a wildcard bind as 127.0.0.1', async () => {
    const dir = await folder();
    const mock = await mockOn(dir, '0.0.0.0');
    expect((await readAnnounce(dir)).url).toBe(`http://127.0.0.1:${mock.port}`);
  });

  it('is removed on close', async () => {
    const dir = await folder();
    const mock = await mockOn(dir);
    await mock.close();
    await expect(stat(announceFile(dir))).rejects.toMatchObject({ code: 'ENOENT' });
    // The .gitignore stays: the folder keeps being ignored for the next mock.
    expect(await readFile(path.join(dir, '.tapedeck', '.gitignore'), 'utf8')).toBe('*\n');
  });

  it('is left alone on close when another mock has taken the folder over', async () => {
    const dir = await folder();
    const first = await mockOn(dir);
    const second = await mockOn(dir);
    await first.close();
    expect((await readAnnounce(dir)).token).toBe(second.token);
    await second.close();
    await expect(stat(announceFile(dir))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writing it is no snapshot change', () => {
  it("the mock's folder watch reports nothing under .tapedeck/, and the host's skips it", async () => {
    const dir = await folder();
    const seen: string[] = [];
    const watch = watchFiles(dir, (rel) => seen.push(rel));
    cleanups.push(async () => watch.close());
    await announce(dir, {
      url: 'http://127.0.0.1:1',
      token: 'a'.repeat(64),
      scenario: null,
      recordMisses: false,
    });
    await writeFile(path.join(dir, '.tapedeck', 'extra.json'), '{}');
    // A real change after it: once it is seen, anything the announce caused has been seen too.
    await writeFile(path.join(dir, 'tapedeck.json'), '{"format":"tapedeck/2"}\n');
    await expect.poll(() => seen.includes('tapedeck.json')).toBe(true);
    expect(seen.filter((r) => r.startsWith('.tapedeck'))).toEqual([]);
    expect(isWatched('.tapedeck/mock.json')).toBe(false);
    expect(isWatched('.tapedeck')).toBe(false);
  });
});
