/**
 * The desktop host's link to a running mock (proxy/host/mock-link.ts): opening a folder a real
 * `startMockServer` serves shows it connected, and the live rows, state and misses of traffic
 * from the real `openai` SDK arrive through `onMock`; a closed mock, a stale file whose pid is
 * dead and a hostile file all mean no mock; a token the mock refuses means unreachable.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DesktopHost } from '../proxy/host/desktop-host.js';
import { HostError } from '../proxy/host/host-error.js';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import type { MockLinkEvent, MockStatus } from '../shared/desktop-api.js';
import type { LiveRow, MockAnnouncement } from '../shared/mock-link.js';
import { deadPid } from './support/dead-pid.js';
import { chat, openai, recordSnapshot, snapshotWith } from './support/fault-sdk.js';

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
  const dir = await realpath(await snapshotWith(golden, {}));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function host(): Promise<{ host: DesktopHost; events: MockLinkEvent[] }> {
  const configDir = await mkdtemp(path.join(tmpdir(), 'tapedeck-link-config-'));
  const h = new DesktopHost({ mode: 'browser', configDir, watchDebounceMs: 20 });
  const events: MockLinkEvent[] = [];
  h.onMock((e) => events.push(e));
  cleanups.push(() => rm(configDir, { recursive: true, force: true }));
  cleanups.push(() => h.close());
  return { host: h, events };
}

async function mockOn(dir: string): Promise<RunningMock> {
  const m = await startMockServer({
    dir,
    port: 0,
    watch: false,
    timing: { mode: 'instant' },
    log: () => undefined,
  });
  cleanups.push(() => m.close());
  return m;
}

const state = async (h: DesktopHost): Promise<MockStatus['state']> => (await h.mockStatus()).state;
const rowsIn = (events: MockLinkEvent[]): LiveRow[] =>
  events.flatMap((e) => (e.kind === 'rows' ? e.rows : []));

async function writeAnnouncement(dir: string, text: string): Promise<void> {
  await mkdir(path.join(dir, '.tapedeck'), { recursive: true });
  await writeFile(path.join(dir, '.tapedeck', 'mock.json'), text, { mode: 0o600 });
}

function announcement(fields: Partial<MockAnnouncement>): MockAnnouncement {
  return {
    url: 'http://127.0.0.1:9',
    token: 'a'.repeat(64),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    version: '0.0.0',
    dir: '/',
    scenario: null,
    recordMisses: false,
    ...fields,
  };
}

describe('a mock serving the opened folder', () => {
  it('is connected; rows, misses and state arrive; reset and record go to it', async () => {
    const dir = await folder();
    const m = await mockOn(dir);
    const { host: h, events } = await host();
    await h.openFolder(dir);
    const status = await h.mockStatus();
    expect(status).toMatchObject({ state: 'connected', url: m.url, pid: process.pid });
    if (status.state !== 'connected') throw new Error('not connected');
    expect(status.live.unused).toHaveLength(m.calls);

    const client = openai(`${m.url}/openai`);
    await chat(client);
    await expect(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'What is the weather in Rome?' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect.poll(() => rowsIn(events).length).toBe(2);
    expect(rowsIn(events).map((r) => r.outcome)).toEqual(['hit', 'miss']);
    expect(rowsIn(events)[0]?.file).toBe(`calls/${golden.files.chat}`);
    await expect
      .poll(() => events.some((e) => e.kind === 'misses' && e.misses.length === 1))
      .toBe(true);
    const [group] = await h.mockMisses();
    expect(group).toMatchObject({ count: 1, recordable: true });
    expect(rowsIn(events)[1]?.missKey).toBe(group?.key);

    const after = await h.resetMock();
    expect(after).toMatchObject({ requests: 0, unmatched: 0, hits: {}, missGroups: 0 });
    expect(await h.mockMisses()).toEqual([]);
    expect(events.some((e) => e.kind === 'state')).toBe(true);
    const recorded = await h.recordMiss(group?.key ?? '');
    expect(recorded.ok).toBe(false);
  });

  it('opened after a run: the requests so far arrive as history, counted once', async () => {
    const dir = await folder();
    const m = await mockOn(dir);
    await chat(openai(`${m.url}/openai`));
    await chat(openai(`${m.url}/openai`));
    const { host: h, events } = await host();
    await h.openFolder(dir);
    const history = () => events.flatMap((e) => (e.kind === 'history' ? e.rows : []));
    await expect.poll(() => history().length).toBe(2);
    expect(history().map((r) => r.outcome)).toEqual(['hit', 'hit']);
    // Already in the state's counts: not sent again as new rows.
    expect(rowsIn(events)).toHaveLength(0);
    const status = await h.mockStatus();
    expect(status.state === 'connected' ? status.live.requests : -1).toBe(2);
  });

  it('closing the mock means none, and the host answers no_mock', async () => {
    const dir = await folder();
    const m = await mockOn(dir);
    const { host: h, events } = await host();
    await h.openFolder(dir);
    expect(await state(h)).toBe('connected');
    await m.close();
    await expect.poll(() => state(h), { timeout: 10_000 }).toBe('none');
    expect(events.some((e) => e.kind === 'status' && e.status.state === 'none')).toBe(true);
    await expect(h.resetMock()).rejects.toMatchObject({ code: 'no_mock' });
    await expect(h.recordMiss('x')).rejects.toBeInstanceOf(HostError);
  });

  it('a mock started after the folder was opened is found', async () => {
    const dir = await folder();
    const { host: h } = await host();
    await h.openFolder(dir);
    expect(await state(h)).toBe('none');
    await mockOn(dir);
    await expect.poll(() => state(h), { timeout: 10_000 }).toBe('connected');
  });
});

describe('announce files that name no usable mock', () => {
  it('a stale file whose pid is dead: none', async () => {
    const dir = await folder();
    await writeAnnouncement(dir, JSON.stringify(announcement({ pid: await deadPid() })));
    const { host: h } = await host();
    await h.openFolder(dir);
    expect(await state(h)).toBe('none');
  });

  it('a token the mock refuses: unreachable, with the reason', async () => {
    const dir = await folder();
    const m = await mockOn(dir);
    await writeAnnouncement(
      dir,
      JSON.stringify(announcement({ url: m.url, token: 'b'.repeat(64) })),
    );
    const { host: h } = await host();
    await h.openFolder(dir);
    const status = await h.mockStatus();
    expect(status).toMatchObject({ state: 'unreachable', url: m.url });
    if (status.state === 'unreachable') expect(status.reason).toContain('401');
    await expect(h.resetMock()).rejects.toMatchObject({ code: 'no_mock' });
  });

  it('hostile files: none, and no crash', async () => {
    const dir = await folder();
    const { host: h } = await host();
    const hostile = [
      'not json',
      'x'.repeat(100_000),
      JSON.stringify({ url: 'http://127.0.0.1:1' }),
      JSON.stringify(announcement({ url: 'http://attacker.example:80' })),
      JSON.stringify(announcement({ url: 'file:///etc/passwd' })),
      JSON.stringify({ ...announcement({}), extra: true }),
      JSON.stringify(announcement({ pid: -1 })),
      'null',
    ];
    for (const text of hostile) {
      await writeAnnouncement(dir, text);
      await h.openFolder(dir);
      expect(await state(h)).toBe('none');
      expect(await h.mockMisses()).toEqual([]);
    }
  });
});
