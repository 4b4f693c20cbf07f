/**
 * Searching request and response text over a generated 10,000-call snapshot through the desktop
 * host: prompt words, tool names and arguments, reply text and stream deltas, case-insensitive,
 * in seq order; cached text dropped by change events; broken files skipped; and the host keeps
 * answering other requests while a search runs.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSnapshot } from '../bench/snapshot-gen.js';
import { startUiServer, type UiServer } from '../proxy/ui-server.js';
import { adapterOf, routeOfCall } from '../shared/adapters/registry.js';
import type { ChangeEvent } from '../shared/desktop-api.js';
import { Call } from '../shared/schema.js';
import { hostFixture, nextEvent, sampleDir, type HostFixture } from './support/host-fixture.js';

const COUNT = 10_000;

let fx: HostFixture;
let big: string;
let files: string[];

async function callAt(rel: string): Promise<Call> {
  return Call.parse(JSON.parse(await readFile(path.join(big, rel), 'utf8')));
}

/** The demo's Anthropic tool call, renumbered after the generated ones. */
async function addToolCall(): Promise<string> {
  const demo = JSON.parse(
    await readFile(
      path.join(sampleDir, 'calls/000004-anthropic-messages-claude-sonnet-4-6.json'),
      'utf8',
    ),
  ) as Call;
  const rel = `calls/0${COUNT + 1}-anthropic-messages-claude-sonnet-4-6.json`;
  await writeFile(
    path.join(big, rel),
    JSON.stringify({ ...demo, seq: COUNT + 1, id: 'c_tool_search' }, null, 2),
  );
  return rel;
}

let toolFile: string;

beforeAll(async () => {
  fx = await hostFixture();
  big = path.join(fx.base, 'big');
  await generateSnapshot(big, COUNT, { seed: 7 });
  toolFile = await addToolCall();
  files = (await readdir(path.join(big, 'calls'))).sort().map((n) => `calls/${n}`);
  await fx.host.openFolder(big);
}, 120_000);

afterAll(async () => {
  await fx.cleanup();
});

describe('searchBodies', () => {
  it('finds a prompt, case-insensitively, and answers in seq order', async () => {
    const lower = await fx.host.searchBodies('request #4321:');
    expect(lower.files).toEqual([files[4320]]);
    expect(lower.total).toBe(COUNT + 1);
    expect(lower.searched).toBe(COUNT + 1);
    const upper = await fx.host.searchBodies('REQUEST #4321:');
    expect(upper.files).toEqual(lower.files);

    // Every generated call has the same system prompt: all of them, in seq order.
    const all = await fx.host.searchBodies('Concise Assistant for an OPERATIONS team');
    expect(all.files).toHaveLength(COUNT);
    expect(all.files).toEqual(files.slice(0, COUNT));
  });

  it('finds tool names and tool arguments', async () => {
    expect((await fx.host.searchBodies('GET_WEATHER')).files).toEqual([toolFile]);
    // The reply's tool_use input, nowhere in the request.
    expect((await fx.host.searchBodies('celsius')).files).toContain(toolFile);
    expect((await fx.host.searchBodies('current weather for a city')).files).toEqual([toolFile]);
  });

  it('finds reply text, and stream delta text across two events', async () => {
    const plain = await callAt(files[17]!);
    expect(plain.response.stream).toBeUndefined();
    const reply = adapterOf(routeOfCall(plain).family).replyText(plain.response)!;
    const words = reply.trim().split(' ').slice(0, 7).join(' ');
    expect((await fx.host.searchBodies(words.toUpperCase())).files).toContain(files[17]);

    const streamed = await callAt(files[39]!); // seq 40: every 40th call streams
    const adapter = adapterOf(routeOfCall(streamed).family);
    const deltas = (streamed.response.stream ?? [])
      .map((e) => adapter.deltaText(e))
      .filter(Boolean);
    expect(deltas.length).toBeGreaterThan(2);
    // The end of one delta and the start of the next: in no single event.
    const across = deltas[1]!.slice(-6) + deltas[2]!.slice(0, 6);
    expect(streamed.response.stream!.some((e) => e.data?.includes(across))).toBe(false);
    expect((await fx.host.searchBodies(across)).files).toContain(files[39]);
  });

  it('refuses an empty query', async () => {
    await expect(fx.host.searchBodies('')).rejects.toMatchObject({ code: 'bad_request' });
    await expect(fx.host.searchBodies('   ')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('reads only what changed: a change event drops that file’s cached text', async () => {
    await fx.host.searchBodies('request #1:');
    const before = fx.host.bodySearch.filesRead;
    await fx.host.searchBodies('request #2:');
    expect(fx.host.bodySearch.filesRead).toBe(before);

    const rel = files[99]!;
    const call = await callAt(rel);
    const text = JSON.stringify(call, null, 2).replace(`Request #100:`, 'Request #100: zebrafinch');
    const changed = nextEvent<ChangeEvent>(
      (l) => fx.host.onChange(l),
      (e) => e.kind === 'call' && e.path === rel,
      5000,
    );
    await writeFile(path.join(big, rel), text);
    await changed;
    expect((await fx.host.searchBodies('ZebraFinch')).files).toEqual([rel]);
    expect(fx.host.bodySearch.filesRead).toBe(before + 1);
  });

  it('skips a broken file and still searches the rest', async () => {
    const broken = 'calls/020000-broken.json';
    const seen = nextEvent<ChangeEvent>(
      (l) => fx.host.onChange(l),
      (e) => e.path === broken,
      5000,
    );
    await writeFile(path.join(big, broken), '{"id": "request #4321:", not json');
    await seen;
    const r = await fx.host.searchBodies('request #4321:');
    expect(r.files).toEqual([files[4320]]);
    expect(r.total).toBe(COUNT + 2);
    expect(r.searched).toBe(COUNT + 1);
  });

  it('needs an open folder', async () => {
    const other = await hostFixture();
    try {
      await expect(other.host.searchBodies('x')).rejects.toMatchObject({ code: 'no_folder' });
    } finally {
      await other.cleanup();
    }
  });
});

describe('searchBodies beside other requests', () => {
  let server: UiServer;
  let cookie: string;

  beforeAll(async () => {
    server = await startUiServer({
      folder: big,
      configDir: fx.configDir,
      browseStart: fx.base,
      rendererDir: fx.base,
      sampleSource: sampleDir,
      watchDebounceMs: 20,
      log: () => undefined,
    });
    const login = await fetch(`${server.url}`, { redirect: 'manual' });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    await server.host.openFolder(big);
  }, 120_000);

  afterAll(async () => {
    await server.close();
  });

  async function rpc(method: string, args: unknown[]): Promise<unknown> {
    const res = await fetch(`${server.origin}/api/${method}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(args),
    });
    const json = (await res.json()) as { result?: unknown; error?: unknown };
    if (!res.ok) throw new Error(JSON.stringify(json.error));
    return json.result;
  }

  it('answers appInfo while a search over 10,000 calls is still running', async () => {
    const order: string[] = [];
    // Nothing cached yet on this host: the search reads every file.
    const search = rpc('searchBodies', ['request #9999:']).then((r) => {
      order.push('search');
      return r as { files: string[] };
    });
    // Under way once it has read some files; a search that held the event loop would already be done.
    while (server.host.bodySearch.filesRead === 0) await new Promise((r) => setImmediate(r));
    const info = (await rpc('appInfo', []).then((r) => {
      order.push('appInfo');
      return r;
    })) as { mode: string };
    expect(info.mode).toBe('browser');
    expect((await search).files).toEqual([files[9998]]);
    expect(order).toEqual(['appInfo', 'search']);
  });
});
