/**
 * Cohere v2 chat end to end with the official cohere-ai SDK: `chat` and `chatStream` record
 * through Tapedeck against a local fake Cohere, replay from the mock with the same text, tool
 * calls, usage and stream bytes, and a rate-limit fault reaches the SDK as its TooManyRequestsError.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Cohere, CohereClientV2 } from 'cohere-ai';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer } from '../proxy/mock-server.js';
import { startRecordServer } from '../proxy/record-server.js';
import type { Fault } from '../shared/schema.js';
import { MODEL, REQUEST } from './support/cohere-wire.js';
import { startCohereUpstream, type CohereUpstream } from './support/cohere-upstream.js';
import { readCalls, secretsOnDisk } from './support/snapshot-files.js';

const RECORD_KEY = 'co-record-Q7w8e9r0t1y2u3i4o5p6';
const quiet = (): void => undefined;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(base: string, token: string): CohereClientV2 {
  // No retries: a retried 429 would hide which reply the SDK saw.
  return new CohereClientV2({ token, environment: `${base}/cohere`, maxRetries: 0 });
}

const tools = REQUEST.tools as Cohere.ToolV2[];
const ask = (text: string): Cohere.ChatMessageV2[] => [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: text },
];

async function chat(c: CohereClientV2, prompt: string) {
  const r = await c.chat({ model: MODEL, messages: ask(prompt), tools });
  return { finishReason: r.finishReason, message: r.message, usage: r.usage };
}

async function chatStream(c: CohereClientV2, prompt: string) {
  const stream = await c.chatStream({ model: MODEL, messages: ask(prompt), tools });
  const out = {
    types: [] as string[],
    text: '',
    args: '',
    tool: '',
    finish: '',
    usage: {} as unknown,
  };
  for await (const e of stream) {
    out.types.push(e.type);
    if (e.type === 'content-delta') out.text += e.delta?.message?.content?.text ?? '';
    if (e.type === 'tool-call-start') out.tool = e.delta?.message?.toolCalls?.function?.name ?? '';
    if (e.type === 'tool-call-delta')
      out.args += e.delta?.message?.toolCalls?.function?.arguments ?? '';
    if (e.type === 'message-end') {
      out.finish = e.delta?.finishReason ?? '';
      out.usage = e.delta?.usage;
    }
  }
  return out;
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

async function record(): Promise<{
  dir: string;
  upstream: CohereUpstream;
  results: Record<string, unknown>;
}> {
  const upstream = await startCohereUpstream();
  cleanups.push(() => upstream.close());
  const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-cohere-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const recorder = await startRecordServer({
    dir,
    port: 0,
    upstreams: { cohere: upstream.url },
    log: quiet,
  });
  const results: Record<string, unknown> = {};
  try {
    const c = client(recorder.url, RECORD_KEY);
    results['text'] = await chat(c, 'How is Toronto today?');
    results['tool'] = await chat(c, 'What is the weather in Toronto?');
    results['stream'] = await chatStream(c, 'What is the weather in Toronto?');
  } finally {
    await recorder.close();
  }
  return { dir, upstream, results };
}

async function mock(dir: string, faults: Fault[] = []) {
  if (faults.length > 0) {
    const file = path.join(dir, 'tapedeck.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...manifest, faults }, null, 2));
  }
  const server = await startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    watch: false,
    log: quiet,
  });
  cleanups.push(() => server.close());
  return server;
}

describe('Cohere v2 chat: cohere-ai SDK → record → snapshot → mock → cohere-ai SDK', () => {
  it('records provider, model and billed usage, and the key never reaches disk', async () => {
    const { dir, upstream, results } = await record();
    expect(upstream.requests[0]?.headers['authorization']).toBe(`Bearer ${RECORD_KEY}`);
    expect(results['stream']).toMatchObject({
      text: 'Looking it up.',
      tool: 'get_weather',
      args: '{"location":"Toronto"}',
    });
    const calls = await readCalls(dir);
    expect(
      calls.map((c) => [c.provider, c.api, c.model, c.response.stream ? 'stream' : 'body']),
    ).toEqual([
      ['cohere', 'chat', MODEL, 'body'],
      ['cohere', 'chat', MODEL, 'body'],
      ['cohere', 'chat', MODEL, 'stream'],
    ]);
    expect(
      calls.map((c) => [c.usage?.inputTokens, c.usage?.outputTokens, c.usage?.source]),
    ).toEqual([
      [17, 6, 'provider'],
      [37, 19, 'provider'],
      [37, 21, 'provider'],
    ]);
    expect(calls[2]?.response.stream?.map((e) => e.event)).toEqual([
      'message-start',
      'content-start',
      'content-delta',
      'content-delta',
      'content-end',
      'tool-call-start',
      'tool-call-delta',
      'tool-call-delta',
      'tool-call-end',
      'message-end',
    ]);
    expect(calls[0]?.request.headers['authorization']).toBe('[REDACTED]');
    // Priced from the bundled table: Command A is in genai-prices.
    expect(calls[0]?.costSource).toBe('price-table');
    expect(await secretsOnDisk(dir, [RECORD_KEY, 'Q7w8e9r0t1y2u3i4o5p6'])).toEqual([]);
  });

  it('replays the same text, tool calls, usage and stream bytes', async () => {
    const { dir, upstream, results } = await record();
    const server = await mock(dir);
    const c = client(server.url, 'test');
    expect(await chat(c, 'How is Toronto today?')).toEqual(results['text']);
    const tool = await chat(c, 'What is the weather in Toronto?');
    expect(tool).toEqual(results['tool']);
    expect(tool.message.toolCalls).toEqual([
      {
        id: 'get_weather_1byjy32y4hvq',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"Toronto"}' },
      },
    ]);
    expect(await chatStream(c, 'What is the weather in Toronto?')).toEqual(results['stream']);

    const raw = await request(`${server.url}/cohere/v2/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: upstream.requests[2]?.body,
    });
    expect(raw.statusCode).toBe(200);
    expect(Buffer.from(await raw.body.arrayBuffer()).equals(upstream.streamed[0] as Buffer)).toBe(
      true,
    );
  });

  it('a rateLimit fault is the SDK’s TooManyRequestsError, in Cohere’s error shape', async () => {
    const { dir } = await record();
    const server = await mock(dir, [
      { kind: 'rateLimit', scope: { upstream: 'cohere' }, retryAfterS: 3 },
    ]);
    const c = client(server.url, 'test');
    const e = await errorOf(chat(c, 'How is Toronto today?'));
    expect(e).toBeInstanceOf(Cohere.TooManyRequestsError);
    const err = e as Cohere.TooManyRequestsError;
    expect(err.statusCode).toBe(429);
    expect(err.body).toEqual({
      id: expect.any(String),
      message: expect.stringContaining('injected by Tapedeck'),
    });
    expect(err.rawResponse?.headers.get('retry-after')).toBe('3');
    const s = await errorOf(chatStream(c, 'What is the weather in Toronto?'));
    expect(s).toBeInstanceOf(Cohere.TooManyRequestsError);
  });

  it('a miss is the SDK’s NotFoundError naming the closest call', async () => {
    const { dir } = await record();
    const server = await mock(dir);
    const e = await errorOf(chat(client(server.url, 'test'), 'Never recorded'));
    expect(e).toBeInstanceOf(Cohere.NotFoundError);
    expect((e as Cohere.NotFoundError).body).toMatchObject({
      message: expect.stringContaining('Closest'),
    });
  });

  it('a cutStream fault ends the SDK stream early', async () => {
    const { dir } = await record();
    const server = await mock(dir, [{ kind: 'cutStream', afterEvents: 3 }]);
    const types: string[] = [];
    const e = await errorOf(
      (async () => {
        const stream = await client(server.url, 'test').chatStream({
          model: MODEL,
          messages: ask('What is the weather in Toronto?'),
          tools,
        });
        for await (const ev of stream) types.push(ev.type);
      })(),
    );
    expect(types).toEqual(['message-start', 'content-start', 'content-delta']);
    expect(e).toBeInstanceOf(Error);
  });
});
