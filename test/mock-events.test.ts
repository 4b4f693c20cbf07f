/**
 * The mock's event stream (docs/mock-pipeline.md): every request the real mock handles, as the
 * real `openai` SDK makes it, becomes exactly one typed event (hit, miss with its closest call and
 * diff, faults, passthrough, refusal, a client's give-up), in order; control requests publish none; a subscriber that
 * throws breaks nothing; unsubscribing stops delivery; the stats' `costAvoidedUsd` is the sum of
 * the hits' costs at the manifest's prices.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startMockServer,
  type MockEvent,
  type MockOptions,
  type RunningMock,
} from '../proxy/mock-server.js';
import type { Call } from '../shared/schema.js';
import { startFakeUpstream } from './support/fake-upstream.js';
import {
  chat,
  message,
  anthropic,
  openai,
  recordSnapshot,
  snapshotWith,
  type SnapshotFaults,
  type Shape,
} from './support/fault-sdk.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
beforeAll(async () => {
  golden = await recordSnapshot();
}, 60_000);
afterAll(() => rm(golden.dir, { recursive: true, force: true }));

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Watched {
  mock: RunningMock;
  dir: string;
  events: MockEvent[];
  lines: string[];
}

async function watchedMock(
  faults: SnapshotFaults = {},
  extra: Partial<MockOptions> = {},
): Promise<Watched> {
  const dir = await snapshotWith(golden, faults);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const mock = await startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    watch: false,
    log: (l) => lines.push(l),
    ...extra,
  });
  cleanups.push(() => mock.close());
  const events: MockEvent[] = [];
  mock.events.subscribe((e) => {
    events.push(e);
  });
  return { mock, dir, events, lines };
}

async function callOf(dir: string, shape: Shape): Promise<Call> {
  return JSON.parse(await readFile(path.join(dir, 'calls', golden.files[shape]), 'utf8')) as Call;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** The chat call with another question: recorded by nobody, closest to the recorded chat. */
function otherChat(client: OpenAI) {
  return client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'What is the weather in Rome?' }],
  });
}

/** Events are published when a reply has ended, which the client may see first. */
async function eventsAfter(w: Watched, n: number): Promise<MockEvent[]> {
  await expect.poll(() => w.events.length).toBe(n);
  return w.events;
}

describe('one event per request', () => {
  it('a hit names the call, its file and seq, the status, timings and the cost avoided', async () => {
    const w = await watchedMock();
    await chat(openai(`${w.mock.url}/openai`));
    const [e] = await eventsAfter(w, 1);
    const call = await callOf(w.dir, 'chat');
    expect(e).toMatchObject({
      outcome: 'hit',
      status: 200,
      faults: [],
      request: { id: 1, method: 'POST', upstream: 'openai', path: '/v1/chat/completions' },
      hit: { call: call.id, seq: call.seq, file: `calls/${golden.files.chat}` },
    });
    if (e?.outcome !== 'hit') throw new Error('not a hit');
    expect(e.costAvoidedUsd).toBeGreaterThan(0);
    expect(e.costAvoidedUsd).toBe(e.hit.costUsd);
    expect(Math.abs(e.request.time - Date.now())).toBeLessThan(60_000);
    expect(e.timings.ttfbMs).not.toBeNull();
    expect(e.timings.ttfbMs).toBeLessThanOrEqual(e.timings.totalMs);
  });

  it('a miss carries the closest call and the diff the 404 explains', async () => {
    const w = await watchedMock();
    const err = await rejection(otherChat(openai(`${w.mock.url}/openai`)));
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    const [e] = await eventsAfter(w, 1);
    const call = await callOf(w.dir, 'chat');
    if (e?.outcome !== 'miss') throw new Error(`not a miss: ${e?.outcome}`);
    expect(e.status).toBe(404);
    expect(e.miss.closest?.call).toBe(call.id);
    expect(e.miss.diff.join('\n')).toContain('Rome');
    // The same explanation the SDK was given.
    expect((err as Error).message).toContain(e.miss.diff[0]);
    expect(w.mock.misses).toHaveLength(1);
  });

  it('a fault: the planned kinds and names, the status sent, no cost avoided by an error', async () => {
    const w = await watchedMock({
      calls: { chat: [{ kind: 'serverError', status: 503, name: 'outage' }] },
    });
    const err = await rejection(chat(openai(`${w.mock.url}/openai`)));
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    const [e] = await eventsAfter(w, 1);
    if (e?.outcome !== 'hit') throw new Error('not a hit');
    expect(e.status).toBe(503);
    expect(e.faults.map((f) => [f.kind, f.name])).toEqual([['serverError', 'outage']]);
    expect(e.costAvoidedUsd).toBeNull();
  });

  it('a client that leaves before the reply ends: gaveUp, and status 0 before any header', async () => {
    const w = await watchedMock({
      calls: { chat: [{ kind: 'hang', beforeHeadersMs: null, when: { requests: '2' } }] },
    });
    const client = openai(`${w.mock.url}/openai`);
    await chat(client);
    const abort = new AbortController();
    const held = rejection(chat(client, abort.signal));
    // Aborted only once the mock holds it: the give-up is of a request the mock is answering.
    await expect
      .poll(async () => {
        const res = await fetch(`${w.mock.url}/__tapedeck/stats`);
        const body = (await res.json()) as { upstreams: Record<string, { requests: number }> };
        return body.upstreams.openai?.requests;
      })
      .toBe(2);
    abort.abort();
    await held;
    const [done, left] = await eventsAfter(w, 2);
    expect(done).not.toHaveProperty('gaveUp', true);
    expect(left).toMatchObject({ outcome: 'hit', status: 0, gaveUp: true });
  });

  it('a passthrough: forwarded and answered, with the closest call it missed', async () => {
    const upstream = await startFakeUpstream({ eventDelayMs: 0 });
    cleanups.push(() => upstream.close());
    const w = await watchedMock({}, { passthrough: true, upstreams: { openai: upstream.url } });
    await otherChat(openai(`${w.mock.url}/openai`));
    const [e] = await eventsAfter(w, 1);
    if (e?.outcome !== 'passthrough') throw new Error(`not a passthrough: ${e?.outcome}`);
    expect(e.answered).toBe(true);
    expect(e.status).toBe(200);
    expect(e.miss.closest?.call).toBe((await callOf(w.dir, 'chat')).id);
    expect(upstream.requests).toHaveLength(1);
  });

  it('a refused 413: the refusal and its reason, from the request’s arrival', async () => {
    const w = await watchedMock({}, { maxBodyBytes: 2000 });
    const big = openai(`${w.mock.url}/openai`).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x'.repeat(5000) }],
    });
    const err = await rejection(big);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    const [e] = await eventsAfter(w, 1);
    if (e?.outcome !== 'refused') throw new Error(`not refused: ${e?.outcome}`);
    expect(e.refused).toBe('too_large');
    expect(e.reason).toContain('--max-body (2000 bytes)');
    expect(e.status).toBe(413);
  });

  it('control requests publish nothing and take no request number', async () => {
    const w = await watchedMock();
    for (const p of ['health', 'stats', 'misses', 'nothing-here'])
      await fetch(`${w.mock.url}/__tapedeck/${p}`).then((r) => r.arrayBuffer());
    await fetch(`${w.mock.url}/__tapedeck/reset`, { method: 'POST' }).then((r) => r.arrayBuffer());
    await chat(openai(`${w.mock.url}/openai`));
    const events = await eventsAfter(w, 1);
    expect(events[0]?.request.id).toBe(1);
  });

  it('exactly one event per request, in the order the requests ended', async () => {
    const w = await watchedMock();
    const client = openai(`${w.mock.url}/openai`);
    await chat(client);
    await rejection(otherChat(client));
    await message(anthropic(`${w.mock.url}/anthropic`));
    await chat(client);
    const events = await eventsAfter(w, 4);
    expect(events.map((e) => [e.request.id, e.outcome, e.request.upstream])).toEqual([
      [1, 'hit', 'openai'],
      [2, 'miss', 'openai'],
      [3, 'hit', 'anthropic'],
      [4, 'hit', 'openai'],
    ]);
    // And the log subscriber wrote one line for each.
    expect(w.lines.filter((l) => l.startsWith('mock #'))).toHaveLength(4);
  });
});

describe('subscribers', () => {
  it('one that throws or rejects breaks neither the reply nor the others, and is reported once', async () => {
    const w = await watchedMock();
    let calls = 0;
    w.mock.events.subscribe(() => {
      calls++;
      throw new Error('listener bug');
    });
    w.mock.events.subscribe(() => Promise.reject(new Error('async listener bug')));
    const after: MockEvent[] = [];
    w.mock.events.subscribe((e) => {
      after.push(e);
    });
    const client = openai(`${w.mock.url}/openai`);
    const first = await chat(client);
    const second = await chat(client);
    expect(first.choices[0]?.message.tool_calls?.length).toBeGreaterThan(0);
    expect(second.choices[0]?.message).toEqual(first.choices[0]?.message);
    await expect.poll(() => after.length).toBe(2);
    expect(w.events).toHaveLength(2);
    expect(calls).toBe(2);
    await expect
      .poll(() => w.lines.filter((l) => l.includes('event subscriber failed')))
      .toHaveLength(2);
    expect(w.lines.filter((l) => l.endsWith(': listener bug'))).toHaveLength(1);
    expect(w.lines.filter((l) => l.endsWith(': async listener bug'))).toHaveLength(1);
  });

  it('unsubscribe stops delivery to that listener only', async () => {
    const w = await watchedMock();
    const mine: MockEvent[] = [];
    const off = w.mock.events.subscribe((e) => {
      mine.push(e);
    });
    const client = openai(`${w.mock.url}/openai`);
    await chat(client);
    await eventsAfter(w, 1);
    off();
    off();
    await chat(client);
    await eventsAfter(w, 2);
    expect(mine.map((e) => e.request.id)).toEqual([1]);
  });
});

describe('costAvoidedUsd', () => {
  it('the stats add up the hits’ costs at the manifest’s prices, in total and per upstream', async () => {
    const w = await watchedMock({
      calls: { message: [{ kind: 'rateLimit', when: { requests: '2' } }] },
    });
    const manifestFile = path.join(w.dir, 'tapedeck.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    manifest['prices'] = {
      'gpt-4o-mini*': { inputMtok: 1, outputMtok: 2 },
      'claude-*': { inputMtok: 3, outputMtok: 5 },
    };
    await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
    await w.mock.close();
    const mock = await startMockServer({
      dir: w.dir,
      port: 0,
      timing: { mode: 'instant' },
      watch: false,
      log: () => undefined,
    });
    cleanups.push(() => mock.close());
    const events: MockEvent[] = [];
    mock.events.subscribe((e) => {
      events.push(e);
    });

    const chatCall = await callOf(w.dir, 'chat');
    const messageCall = await callOf(w.dir, 'message');
    // Round prices and no cache prices (cached tokens cost as input), so the expected figure is
    // plain arithmetic on the recorded usage.
    const usd = (c: Call, p: { inputMtok: number; outputMtok: number }) =>
      ((c.usage?.inputTokens ?? 0) * p.inputMtok + (c.usage?.outputTokens ?? 0) * p.outputMtok) /
      1e6;
    const chatUsd = usd(chatCall, { inputMtok: 1, outputMtok: 2 });
    const messageUsd = usd(messageCall, { inputMtok: 3, outputMtok: 5 });
    expect(chatUsd).toBeGreaterThan(0);
    expect(messageUsd).toBeGreaterThan(0);

    const client = openai(`${mock.url}/openai`);
    const claude = anthropic(`${mock.url}/anthropic`);
    await chat(client);
    await chat(client);
    await message(claude);
    await rejection(message(claude)); // the 429: not a reply the provider would bill
    await rejection(otherChat(client)); // a miss avoids nothing
    await expect.poll(() => events.length).toBe(5);

    const res = await fetch(`${mock.url}/__tapedeck/stats`);
    const stats = (await res.json()) as {
      costAvoidedUsd: number;
      upstreams: Record<string, { costAvoidedUsd: number }>;
    };
    const fromEvents = events.reduce(
      (sum, e) => sum + (e.outcome === 'hit' ? (e.costAvoidedUsd ?? 0) : 0),
      0,
    );
    expect(stats.costAvoidedUsd).toBeCloseTo(2 * chatUsd + messageUsd, 12);
    expect(stats.costAvoidedUsd).toBeCloseTo(fromEvents, 12);
    expect(stats.upstreams['openai']?.costAvoidedUsd).toBeCloseTo(2 * chatUsd, 12);
    expect(stats.upstreams['anthropic']?.costAvoidedUsd).toBeCloseTo(messageUsd, 12);

    // A reset starts the sum over.
    await fetch(`${mock.url}/__tapedeck/reset`, { method: 'POST' }).then((r) => r.arrayBuffer());
    const after = (await (await fetch(`${mock.url}/__tapedeck/stats`)).json()) as {
      costAvoidedUsd: number;
    };
    expect(after.costAvoidedUsd).toBe(0);
  });

  it('a reload re-prices: hits after a price edit cost the new price', async () => {
    const w = await watchedMock({}, { watch: true });
    const client = openai(`${w.mock.url}/openai`);
    await chat(client);
    const manifestFile = path.join(w.dir, 'tapedeck.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    manifest['prices'] = { 'gpt-4o-mini*': { inputMtok: 1000, outputMtok: 1000 } };
    const reloaded = w.mock.reloaded();
    await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
    await reloaded;
    await chat(client);
    const [before, after] = await eventsAfter(w, 2);
    if (before?.outcome !== 'hit' || after?.outcome !== 'hit') throw new Error('not two hits');
    const usage = (await callOf(w.dir, 'chat')).usage;
    const tokens = (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
    expect(after.costAvoidedUsd).toBeCloseTo((tokens * 1000) / 1e6, 12);
    expect(before.costAvoidedUsd).not.toBeCloseTo((tokens * 1000) / 1e6, 6);
  });
});
