/**
 * `mock --record-misses`: an unmatched request is forwarded once, written as one new call, and the
 * same request then hits it — even when it arrives again while the first is being recorded.
 */
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockEvent, type RunningMock } from '../proxy/mock-server.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { scenarios } from './support/sdk-scenarios.js';

const SECRET = 'sk-proj-RECORDMISS1234567890abcdef';
const streamed = scenarios.find((s) => s.upstream === 'openai' && s.stream)!;
const plainChat = scenarios.find((s) => s.upstream === 'openai' && !s.stream)!;

let dir: string;
let upstream: FakeUpstream;
let mock: RunningMock | null = null;
let events: MockEvent[];
let lines: string[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-recmiss-'));
  await mkdir(path.join(dir, 'calls'));
  await writeFile(
    path.join(dir, 'tapedeck.json'),
    JSON.stringify({ format: 'tapedeck/2', createdAt: new Date().toISOString(), recorder: 'test' }),
  );
  upstream = await startFakeUpstream({ eventDelayMs: 15 });
  events = [];
  lines = [];
});

afterEach(async () => {
  await mock?.close();
  mock = null;
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(upstreams: Record<string, string>): Promise<RunningMock> {
  // No watcher: the new call must reach the index without the reload a file change brings.
  mock = await startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    recordMisses: true,
    upstreams,
    watch: false,
    env: {},
    log: (l) => lines.push(l),
  });
  mock.events.subscribe((e) => void events.push(e));
  return mock;
}

/** Resolves with the next event of this outcome. */
function nextEvent(outcome: MockEvent['outcome']): Promise<MockEvent> {
  return new Promise((resolve) => {
    const off = mock!.events.subscribe((e) => {
      if (e.outcome !== outcome) return;
      off();
      resolve(e);
    });
  });
}

const callFiles = async () => (await readdir(path.join(dir, 'calls'))).sort();

describe('mock --record-misses', () => {
  it('records a repeated unmatched request once, concurrent or not, and then hits it', async () => {
    const m = await start({ openai: upstream.url });
    const base = `${m.url}/openai`;
    // Two identical requests at once: the second waits for the first's recording.
    const [a, b] = await Promise.all([streamed.run(base, SECRET), streamed.run(base, SECRET)]);
    expect(a.text).toBe(streamed.text);
    expect(b.text).toBe(streamed.text);
    expect(a.toolCalls).toEqual(streamed.toolCalls);
    expect(b.toolCalls).toEqual(streamed.toolCalls);
    expect(upstream.requests).toHaveLength(1);
    const files = await callFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^000001-openai-chat-/);

    const third = await streamed.run(base, SECRET);
    expect(third.text).toBe(streamed.text);
    expect(upstream.requests).toHaveLength(1);
    expect(await callFiles()).toEqual(files);

    const recorded = events.filter((e) => e.outcome === 'recorded');
    expect(recorded).toHaveLength(1);
    const ref = recorded[0]!.outcome === 'recorded' ? recorded[0]!.recorded : null;
    expect(ref?.file).toBe(`calls/${files[0]}`);
    expect(ref?.seq).toBe(1);
    const hits = events.filter((e) => e.outcome === 'hit');
    expect(hits).toHaveLength(2);
    for (const h of hits) if (h.outcome === 'hit') expect(h.hit.call).toBe(ref?.call);
    expect(lines.some((l) => / → 200 RECORDED c_/.test(l))).toBe(true);

    // Recorded is not unmatched: --strict stays green.
    expect(m.unmatched).toBe(0);
    const stats = (await (await fetch(`${m.url}/__tapedeck/stats`)).json()) as {
      upstreams: Record<
        string,
        { requests: number; matched: number; recorded: number; unmatched: number }
      >;
    };
    expect(stats.upstreams['openai']).toMatchObject({
      requests: 3,
      matched: 2,
      recorded: 1,
      unmatched: 0,
    });

    // A different request is a new episode, written with the next seq.
    const written = nextEvent('recorded');
    await plainChat.run(base, SECRET);
    await written;
    expect((await callFiles()).map((f) => f.slice(0, 6))).toEqual(['000001', '000002']);
  });

  it('writes the call as record does: redacted, the key never on disk', async () => {
    const m = await start({ openai: upstream.url });
    const written = nextEvent('recorded');
    await plainChat.run(`${m.url}/openai`, SECRET);
    // The reply goes out as it arrives; the file is written after it.
    await written;
    expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
    const [file] = await callFiles();
    const text = await readFile(path.join(dir, 'calls', file!), 'utf8');
    expect(text).not.toContain(SECRET);
    const call = JSON.parse(text) as {
      format: string;
      seq: number;
      request: { url: string; headers: Record<string, string> };
      usage: { inputTokens: number } | null;
      signature: { upstream: string; path: string };
    };
    expect(call.format).toBe('tapedeck/2');
    expect(call.seq).toBe(1);
    expect(call.request.url).toBe(`${upstream.url}/v1/chat/completions`);
    expect(call.request.headers.authorization).not.toContain('RECORDMISS');
    expect(call.usage?.inputTokens).toBe(plainChat.usage.inputTokens);
    expect(call.signature).toMatchObject({ upstream: 'openai', path: '/v1/chat/completions' });
  });

  it('answers 502 in the provider shape when the upstream is unreachable, and writes nothing', async () => {
    const dead = await startFakeUpstream();
    const deadUrl = dead.url;
    await dead.close();
    const m = await start({ openai: deadUrl });
    const client = new OpenAI({ apiKey: SECRET, baseURL: `${m.url}/openai/v1`, maxRetries: 0 });
    const err = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toMatch(/could not be reached/);
    expect(await callFiles()).toEqual([]);
    expect(m.unmatched).toBe(1);
    expect(events.map((e) => e.outcome)).toEqual(['miss']);
  });

  it('never reports a call as recorded when its file could not be written', async () => {
    const m = await start({ openai: upstream.url });
    // A file where the calls/ folder should be: nothing can be written into it.
    await rm(path.join(dir, 'calls'), { recursive: true });
    await writeFile(path.join(dir, 'calls'), 'in the way');
    const ended = nextEvent('miss');
    const reply = await plainChat.run(`${m.url}/openai`, SECRET);
    // The client already had the upstream's reply when the write failed.
    expect(reply.toolCalls).toEqual(plainChat.toolCalls);
    const e = await ended;
    expect(e.status).toBe(200);
    expect(events.some((x) => x.outcome === 'recorded')).toBe(false);
    expect(m.unmatched).toBe(1);
    expect(lines.some((l) => /NOT RECORDED: the call could not be stored/.test(l))).toBe(true);
  });

  it('is refused together with --passthrough', async () => {
    await expect(
      startMockServer({ dir, port: 0, recordMisses: true, passthrough: true, log: () => {} }),
    ).rejects.toThrow(/--record-misses and --passthrough cannot be used together/);
  });
});
