/**
 * The mock's live endpoints (shared/mock-link.ts): refused without the token (401) or from a
 * non-loopback Host (403, DNS rebinding); the event stream opens with the state and sends one row
 * per request (hits, misses) with the fields the app shows; misses are grouped (count, first and
 * last seen, diff items), their bodies redacted, at most 200 kept; `record` says why it cannot.
 */
import { rm } from 'node:fs/promises';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import { TOKEN_HEADER, type LiveRow, type LiveState, type MissGroup } from '../shared/mock-link.js';
import { chat, openai, recordSnapshot, snapshotWith } from './support/fault-sdk.js';
import { liveRequest, openLiveStream, type LiveStream } from './support/live-link.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
beforeAll(async () => {
  golden = await recordSnapshot();
}, 60_000);
afterAll(() => rm(golden.dir, { recursive: true, force: true }));

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function mock(upstreams?: Record<string, string>): Promise<RunningMock> {
  const dir = await snapshotWith(golden, {});
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const m = await startMockServer({
    dir,
    port: 0,
    ...(upstreams ? { upstreams } : {}),
    watch: false,
    timing: { mode: 'instant' },
    log: () => undefined,
  });
  cleanups.push(() => m.close());
  return m;
}

async function stream(m: RunningMock): Promise<LiveStream> {
  const s = await openLiveStream(m.url, m.token);
  cleanups.push(() => s.close());
  return s;
}

const rowsOf = (s: LiveStream): LiveRow[] =>
  s.messages.filter((x) => x.event === 'rows').flatMap((x) => JSON.parse(x.data) as LiveRow[]);

async function misses(m: RunningMock): Promise<MissGroup[]> {
  const r = await liveRequest(m.url, 'GET', '/__tapedeck/live/misses', {
    [TOKEN_HEADER]: m.token,
  });
  expect(r.status).toBe(200);
  return (JSON.parse(r.body) as { misses: MissGroup[] }).misses;
}

function ask(client: OpenAI, content: string) {
  return client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content }],
  });
}

async function miss(client: OpenAI, content: string): Promise<void> {
  await expect(ask(client, content)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
}

describe('who may use the live link', () => {
  it('401 without the token and with a wrong one', async () => {
    const m = await mock();
    const tries: Record<string, string>[] = [
      {},
      { [TOKEN_HEADER]: 'f'.repeat(64) },
      { [TOKEN_HEADER]: 'short' },
    ];
    for (const headers of tries) {
      const r = await liveRequest(m.url, 'GET', '/__tapedeck/live/misses', headers);
      expect(r.status).toBe(401);
    }
    expect((await openLiveStream(m.url, null)).status).toBe(401);
  });

  it('403 for a Host that is not the loopback address and port, even with the token', async () => {
    const m = await mock();
    for (const host of [`evil.example:${m.port}`, `127.0.0.1:${m.port + 1}`, '127.0.0.1']) {
      const r = await liveRequest(m.url, 'GET', '/__tapedeck/live/misses', {
        [TOKEN_HEADER]: m.token,
        host,
      });
      expect(r.status).toBe(403);
    }
    for (const host of [`localhost:${m.port}`, `[::1]:${m.port}`]) {
      const r = await liveRequest(m.url, 'GET', '/__tapedeck/live/misses', {
        [TOKEN_HEADER]: m.token,
        host,
      });
      expect(r.status).toBe(200);
    }
  });
});

describe('the event stream', () => {
  it('opens with the state, then one row per request: a hit with its call, a miss with its key', async () => {
    const m = await mock();
    const s = await stream(m);
    expect(s.status).toBe(200);
    await expect.poll(() => s.messages.length).toBeGreaterThan(0);
    const first = s.messages[0];
    expect(first?.event).toBe('state');
    const state = JSON.parse(first?.data ?? '{}') as LiveState;
    expect(state).toMatchObject({ requests: 0, unmatched: 0, hits: {}, missGroups: 0 });
    expect(state.unused).toHaveLength(m.calls);

    const client = openai(`${m.url}/openai`);
    await chat(client);
    await miss(client, 'What is the weather in Rome?');
    await expect.poll(() => rowsOf(s).length).toBe(2);
    const [hit, missed] = rowsOf(s);
    expect(hit).toMatchObject({
      id: 1,
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      outcome: 'hit',
      file: `calls/${golden.files.chat}`,
      missKey: null,
      faults: [],
      status: 200,
    });
    expect(hit?.call).toEqual(expect.any(String));
    expect(hit?.costAvoidedUsd).toBeGreaterThan(0);
    expect(hit?.totalMs).toBeGreaterThanOrEqual(0);
    expect(missed).toMatchObject({ id: 2, outcome: 'miss', status: 404, call: null, file: null });
    const groups = await misses(m);
    expect(missed?.missKey).toBe(groups[0]?.key);
  });

  it('a client connecting after requests gets them as history, counted in the state; a reset forgets them', async () => {
    const m = await mock();
    const client = openai(`${m.url}/openai`);
    await chat(client);
    await miss(client, 'What is the weather in Rome?');
    const late = await stream(m);
    await expect.poll(() => late.messages.length).toBe(2);
    const [state, history] = late.messages;
    expect(state?.event).toBe('state');
    expect(JSON.parse(state?.data ?? '{}')).toMatchObject({ requests: 2, unmatched: 1 });
    expect(history?.event).toBe('history');
    const rows = JSON.parse(history?.data ?? '[]') as LiveRow[];
    expect(rows.map((r) => [r.id, r.outcome])).toEqual([
      [1, 'hit'],
      [2, 'miss'],
    ]);
    // Only history: nothing of it comes again as `rows`.
    expect(rowsOf(late)).toHaveLength(0);

    expect((await fetch(`${m.url}/__tapedeck/reset`, { method: 'POST' })).status).toBe(200);
    const afterReset = await stream(m);
    await expect.poll(() => afterReset.messages.length).toBe(1);
    expect(afterReset.messages.map((x) => x.event)).toEqual(['state']);
  });

  it('sends the state again after a reset', async () => {
    const m = await mock();
    const s = await stream(m);
    await chat(openai(`${m.url}/openai`));
    await expect.poll(() => rowsOf(s).length).toBe(1);
    const r = await fetch(`${m.url}/__tapedeck/reset`, { method: 'POST' });
    expect(r.status).toBe(200);
    await expect.poll(() => s.messages.filter((x) => x.event === 'state').length).toBe(2);
    const states = s.messages.filter((x) => x.event === 'state');
    expect(JSON.parse(states[1]?.data ?? '{}')).toMatchObject({ requests: 0, hits: {} });
  });
});

describe('the misses', () => {
  it('one group per distinct request: count, first and last seen, closest call, items', async () => {
    const m = await mock();
    const client = openai(`${m.url}/openai`);
    await miss(client, 'What is the weather in Rome?');
    await miss(client, 'What is the weather in Rome?');
    await miss(client, 'What is the weather in Oslo?');
    const groups = await misses(m);
    expect(groups).toHaveLength(2);
    const [rome, oslo] = groups;
    expect(rome).toMatchObject({
      count: 2,
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      query: null,
      recordable: true,
    });
    expect(oslo?.count).toBe(1);
    expect(rome?.key).not.toBe(oslo?.key);
    expect(Date.parse(rome?.lastSeen ?? '')).toBeGreaterThanOrEqual(
      Date.parse(rome?.firstSeen ?? ''),
    );
    expect(rome?.closest?.file).toBe(`calls/${golden.files.chat}`);
    expect(rome?.signature).not.toBeNull();
    expect(rome?.diff.join('\n')).toContain('Rome');
    expect(rome?.items).toContainEqual(
      expect.objectContaining({
        part: 'body',
        kind: 'differs',
        request: expect.stringContaining('Rome'),
      }),
    );
  });

  it('a secret in the body is redacted as the recorder redacts it', async () => {
    const m = await mock();
    const secret = 'sk-proj-' + 'Q7x9'.repeat(10);
    await miss(openai(`${m.url}/openai`), `my key is ${secret}, what is the weather?`);
    const [g] = await misses(m);
    const text = JSON.stringify(g);
    expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
  });

  it('keeps at most 200 groups, forgetting the least recently seen', async () => {
    const m = await mock();
    const client = openai(`${m.url}/openai`);
    await miss(client, 'question 0');
    for (let i = 1; i <= 200; i++) {
      await miss(client, `question ${i}`);
      // Question 1 stays recent, so the oldest by last seen is question 0, then 2.
      if (i === 150) await miss(client, 'question 1');
    }
    const groups = await misses(m);
    expect(groups).toHaveLength(200);
    const asked = groups.map((g) => JSON.stringify(g.body));
    expect(asked.some((b) => b.includes('question 0"'))).toBe(false);
    expect(asked.some((b) => b.includes('question 1"'))).toBe(true);
  }, 60_000);
});

describe('record', () => {
  it('for an upstream it cannot reach, and for an unknown key, answers ok:false with the reason', async () => {
    // Port 9 (discard) is closed here: the forward fails before anything is written.
    const m = await mock({ openai: 'http://127.0.0.1:9' });
    await miss(openai(`${m.url}/openai`), 'What is the weather in Rome?');
    const [g] = await misses(m);
    const post = (body: unknown) =>
      liveRequest(
        m.url,
        'POST',
        '/__tapedeck/live/record',
        { [TOKEN_HEADER]: m.token, 'content-type': 'application/json' },
        JSON.stringify(body),
      );
    const known = await post({ key: g?.key });
    expect(known.status).toBe(200);
    expect(JSON.parse(known.body)).toEqual({
      ok: false,
      reason: expect.stringContaining('could not be reached'),
    });
    const unknown = JSON.parse((await post({ key: 'nope' })).body) as {
      ok: boolean;
      reason: string;
    };
    expect(unknown.ok).toBe(false);
    expect(unknown.reason).toContain('nope');
  });
});
