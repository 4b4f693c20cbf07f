/**
 * Faults in process: `createMockFetch({ snapshot })` fires a snapshot's faults as `tapedeck mock`
 * does, and the openai SDK meets them as it would meet the provider misbehaving: a 429, a stream
 * cut mid-way, a reply that never comes until the test aborts it, a scenario's overload;
 * `timing: 'recorded'` replays the recorded latency.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initSnapshotDir, writeCallFile } from '../proxy/store/snapshot-store.js';
import { createMockFetch, type MockFetch } from '../testing/index.js';
import { chatCallFile, type ChatCall } from './support/chat-snapshot.js';
import { anthropicRequest, DEMO } from './support/demo-calls.js';
import { readCalls } from './support/snapshot-files.js';
import {
  chat,
  chatStream,
  drain,
  recordSnapshot,
  snapshotWith,
  type SnapshotFaults,
} from './support/fault-sdk.js';

type Golden = Awaited<ReturnType<typeof recordSnapshot>>;
let golden: Golden;
beforeAll(async () => {
  golden = await recordSnapshot();
});
afterAll(async () => {
  if (golden) await rm(golden.dir, { recursive: true, force: true });
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A mock fetch over a copy of the recorded snapshot with these faults. */
async function mockWith(faults: SnapshotFaults): Promise<MockFetch> {
  const dir = await snapshotWith(golden, faults);
  dirs.push(dir);
  const fetch = createMockFetch({ snapshot: dir, log: false });
  await fetch.ready;
  return fetch;
}

/** The SDK at its default base URL (api.openai.com), answered in process. */
const openai = (fetch: MockFetch): OpenAI => new OpenAI({ apiKey: 'test', fetch, maxRetries: 0 });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, it succeeded');
}

describe('faults in process', () => {
  it('rateLimit: the openai SDK throws RateLimitError, with the retry headers', async () => {
    const fetch = await mockWith({ calls: { chat: [{ kind: 'rateLimit', after: 1 }] } });
    const client = openai(fetch);
    await chat(client);
    const err = await rejection(chat(client));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.headers.get('retry-after')).toBe('1');
    expect(e.headers.get('x-tapedeck-fault')).toBe('rateLimit');
    // A fault on a recorded call is still that call's hit.
    const id = (await readCalls(golden.dir)).find((c) => c.file === golden.files.chat)?.id;
    expect(fetch.calls.map((c) => [c.status, c.call])).toEqual([
      [200, id],
      [429, id],
    ]);
  });

  it('cutStream: the stream ends with a connection error after the first events', async () => {
    const fetch = await mockWith({
      calls: { chatStream: [{ kind: 'cutStream', afterEvents: 2 }] },
    });
    const { items, error } = await drain(await chatStream(openai(fetch)));
    expect(items).toHaveLength(2);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('terminated');

    // Without the fault the same stream runs to its end.
    const whole = await mockWith({});
    const full = await drain(await chatStream(openai(whole)));
    expect(full.error).toBeNull();
    expect(full.items.length).toBeGreaterThan(2);
  });

  it('hang: an abort rejects the call, and the mock keeps answering afterwards', async () => {
    const fetch = await mockWith({
      calls: { chat: [{ kind: 'hang', beforeHeadersMs: null, when: { requests: '1' } }] },
    });
    const client = openai(fetch);
    const controller = new AbortController();
    const hung = rejection(chat(client, controller.signal));
    // The reply never starts: nothing settles until the abort.
    const first = await Promise.race([hung, new Promise((r) => setImmediate(r, 'pending'))]);
    expect(first).toBe('pending');
    controller.abort();
    expect(await hung).toBeInstanceOf(OpenAI.APIUserAbortError);

    const r = await chat(client);
    expect(r.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'get_weather' },
    });
    expect(fetch.calls.map((c) => c.status)).toEqual([0, 200]);
  });

  it('hang mid-stream: K chunks, then an abort ends the stream; the next stream is whole', async () => {
    const fetch = await mockWith({
      calls: { chatStream: [{ kind: 'hang', afterEvents: 2, ms: null, when: { requests: '1' } }] },
    });
    const client = openai(fetch);
    const controller = new AbortController();
    const stream = await chatStream(client, controller.signal);
    const seen: unknown[] = [];
    let error: unknown = null;
    try {
      for await (const chunk of stream) {
        seen.push(chunk);
        if (seen.length === 2) setImmediate(() => controller.abort());
      }
    } catch (e) {
      error = e;
    }
    expect(seen).toHaveLength(2);
    // As over a socket (docs/faults.md): the openai SDK ends the iterator quietly on abort.
    expect(error).toBeNull();

    const whole = await drain(await chatStream(client));
    expect(whole.error).toBeNull();
    expect(whole.items.length).toBeGreaterThan(2);
  });
});

describe('a scenario in process', () => {
  it("the demo's flaky-anthropic: Anthropic's 529 OverloadedError on every fourth request", async () => {
    const fetch = createMockFetch({ snapshot: DEMO, scenario: 'flaky-anthropic', log: false });
    const client = new Anthropic({ apiKey: 'test', fetch, maxRetries: 0 });
    const outcomes: unknown[] = [];
    for (let i = 0; i < 5; i++)
      outcomes.push(
        await client.messages.create(anthropicRequest).then(
          (m) => m.stop_reason,
          (e: unknown) => e,
        ),
      );
    expect(outcomes.filter((o) => o === 'tool_use')).toHaveLength(4);
    expect(outcomes[3]).toBeInstanceOf(Anthropic.OverloadedError);
    expect(fetch.calls.map((c) => c.status)).toEqual([200, 200, 200, 529, 200]);
  });
});

describe("timing: 'recorded'", () => {
  const slow: ChatCall = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'slow' }],
    reply: 'slow reply',
  };
  const quick: ChatCall = {
    ...slow,
    messages: [{ role: 'user', content: 'quick' }],
    reply: 'quick reply',
  };

  /** Two calls: `slow` recorded with a long wait for its headers, `quick` with almost none. */
  async function timedSnapshot(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-timing-'));
    dirs.push(dir);
    await initSnapshotDir(dir, 'test');
    await writeCallFile(dir, { ...chatCallFile(slow, 1), timing: { ttfbMs: 800, totalMs: 801 } });
    await writeCallFile(dir, { ...chatCallFile(quick, 2), timing: { ttfbMs: 1, totalMs: 2 } });
    return dir;
  }

  async function order(timing: 'recorded' | 'instant'): Promise<string[]> {
    const fetch = createMockFetch({ snapshot: await timedSnapshot(), timing, log: false });
    await fetch.ready;
    const client = openai(fetch);
    const done: string[] = [];
    const ask = async (c: ChatCall) => {
      const r = await client.chat.completions.create({ model: c.model, messages: c.messages });
      done.push(r.choices[0]?.message.content ?? '');
    };
    // The slow one first: only its recorded latency can put it second.
    await Promise.all([ask(slow), ask(quick)]);
    return done;
  }

  it('replays recorded latency: the call recorded slower answers later', async () => {
    expect(await order('recorded')).toEqual(['quick reply', 'slow reply']);
  });

  it('the default (instant) does not wait: the first asked answers first', async () => {
    expect(await order('instant')).toEqual(['slow reply', 'quick reply']);
  });
});
