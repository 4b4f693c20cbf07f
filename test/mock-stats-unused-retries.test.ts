/**
 * `/__tapedeck/stats` gains `unused` (the calls never hit since start or reset, in seq order) and
 * per-upstream `retries`: the real `openai` SDK retrying a 429 counts once, and so does the same
 * body sent again within 30 s; a reset clears both.
 */
import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import {
  chat,
  message,
  anthropic,
  openai,
  recordSnapshot,
  snapshotWith,
  type SnapshotFaults,
} from './support/fault-sdk.js';
import { readCalls } from './support/snapshot-files.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
beforeAll(async () => {
  golden = await recordSnapshot();
}, 60_000);
afterAll(() => rm(golden.dir, { recursive: true, force: true }));

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function mock(faults: SnapshotFaults = {}): Promise<{ m: RunningMock; dir: string }> {
  const dir = await snapshotWith(golden, faults);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const m = await startMockServer({
    dir,
    port: 0,
    watch: false,
    timing: { mode: 'instant' },
    log: () => undefined,
  });
  cleanups.push(() => m.close());
  return { m, dir };
}

interface Stats {
  unused: string[];
  upstreams: Record<string, { requests: number; retries: number }>;
}

const stats = async (m: RunningMock) =>
  (await (await fetch(`${m.url}/__tapedeck/stats`)).json()) as Stats;
const reset = (m: RunningMock) => fetch(`${m.url}/__tapedeck/reset`, { method: 'POST' });

describe('unused', () => {
  it('lists the calls never hit, in seq order; a reset brings them all back', async () => {
    const { m, dir } = await mock();
    const calls = (await readCalls(dir)).sort((a, b) => a.seq - b.seq);
    const ids = calls.map((c) => c.id);
    expect((await stats(m)).unused).toEqual(ids);
    await chat(openai(`${m.url}/openai`));
    await message(anthropic(`${m.url}/anthropic`));
    const hit = new Set([
      calls.find((c) => c.file.endsWith(golden.files.chat))?.id,
      calls.find((c) => c.file.endsWith(golden.files.message))?.id,
    ]);
    expect(hit.size).toBe(2);
    expect((await stats(m)).unused).toEqual(ids.filter((id) => !hit.has(id)));
    await reset(m);
    expect((await stats(m)).unused).toEqual(ids);
  });
});

describe('retries', () => {
  it("the openai SDK's retry after a 429 counts once", async () => {
    const { m } = await mock({
      calls: { chat: [{ kind: 'rateLimit', for: 1, retryAfterS: 0.01 }] },
    });
    const reply = await chat(openai(`${m.url}/openai`, { maxRetries: 2 }));
    expect(reply.choices.length).toBeGreaterThan(0);
    const s = await stats(m);
    expect(s.upstreams.openai).toMatchObject({ requests: 2, retries: 1 });
  });

  it('the same body again within 30 s counts as a retry, without any header saying so', async () => {
    const { m } = await mock();
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const send = () =>
      fetch(`${m.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then((r) => r.text());
    await send();
    expect((await stats(m)).upstreams.openai?.retries).toBe(0);
    await send();
    await send();
    expect((await stats(m)).upstreams.openai?.retries).toBe(2);
    await reset(m);
    await send();
    expect((await stats(m)).upstreams.openai).toMatchObject({ requests: 1, retries: 0 });
  });
});
