/**
 * Each fault kind through the official SDKs over real sockets: calls recorded through the recorder
 * against the local fake upstreams, served by the mock with faults in a call file, in tapedeck.json
 * or in a scenario, and met by the SDK exactly as it would meet the real provider misbehaving.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockOptions, type RunningMock } from '../proxy/mock-server.js';
import { FaultEngine, sourcesOf } from '../shared/faults/engine.js';
import { Fault } from '../shared/schema.js';
import {
  addCallFaults,
  anthropic,
  chat,
  chatStream,
  drain,
  gemini,
  generate,
  generateStream,
  message,
  messageStream,
  openai,
  rawChat,
  recordSnapshot,
  responsesStream,
  searchChat,
  searchChatStream,
  setManifestFaults,
  snapshotWith,
  writeScenario,
  type Shape,
  type SnapshotFaults,
} from './support/fault-sdk.js';
import { SEARCH_ARGS } from './support/fault-upstream.js';
import { assertBuilt, runCli, startCli } from './support/cli.js';

type Golden = Awaited<ReturnType<typeof recordSnapshot>>;
let golden: Golden;

beforeAll(async () => {
  golden = await recordSnapshot();
});
afterAll(async () => {
  if (golden) await rm(golden.dir, { recursive: true, force: true });
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const quiet = (): void => undefined;

/** A mock over a copy of the recorded snapshot with these faults. */
async function mockWith(
  faults: SnapshotFaults,
  opts: Partial<MockOptions> = {},
): Promise<RunningMock & { dir: string }> {
  const dir = await snapshotWith(golden, faults);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const mock = await startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    log: quiet,
    ...opts,
  });
  cleanups.push(() => mock.close());
  return Object.assign(mock, { dir });
}

function onCall(shape: Shape, ...faults: unknown[]): SnapshotFaults {
  return { calls: { [shape]: faults } };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, it succeeded');
}

interface Stats {
  upstreams: Record<
    string,
    { requests: number; matched: number; unmatched: number; faults: Record<string, number> }
  >;
  openConnections: number;
}

async function stats(mock: RunningMock): Promise<Stats> {
  const res = await fetch(`${mock.url}/__tapedeck/stats`);
  return (await res.json()) as Stats;
}

/** The id of the recorded call made by `shape`, as the mock reports it in x-tapedeck-call. */
async function callId(shape: Shape): Promise<string> {
  const file = path.join(golden.dir, 'calls', golden.files[shape]);
  return (JSON.parse(await readFile(file, 'utf8')) as { id: string }).id;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// Node timers may fire up to a millisecond early against performance.now().
const TIMER_SLACK_MS = 2;

describe('rate limits', () => {
  it('openai: RateLimitError on request N+1 of rateLimit after N (no retries)', async () => {
    const mock = await mockWith(onCall('chat', { kind: 'rateLimit', after: 2 }));
    const client = openai(`${mock.url}/openai`);
    await chat(client);
    await chat(client);
    const err = await rejection(chat(client));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.type).toBe('requests');
    expect(e.headers.get('retry-after')).toBe('1');
    expect(e.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(e.headers.get('x-ratelimit-reset-requests')).toBe('1s');
    expect(e.headers.get('x-tapedeck-fault')).toBe('rateLimit');
    expect(e.requestID).toMatch(/^req_/);
    // And it stays limited: `after` alone never ends.
    expect(await rejection(chat(client))).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('openai with retries: waits retry-after, retries, succeeds; the mock counted the retry', async () => {
    const mock = await mockWith(
      onCall('chat', { kind: 'rateLimit', after: 1, for: 1, retryAfterS: 1 }),
    );
    const client = openai(`${mock.url}/openai`, { maxRetries: 2 });
    await chat(client);
    const t0 = performance.now();
    const { data, response } = await chat(client).withResponse();
    const elapsed = performance.now() - t0;
    expect(data.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'get_weather' },
    });
    expect(response.headers.get('x-tapedeck-fault')).toBeNull();
    expect(elapsed).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
    const s = await stats(mock);
    expect(s.upstreams['openai']).toMatchObject({
      requests: 3,
      matched: 3,
      faults: { rateLimit: 1 },
    });
  });

  it('anthropic with retries honours retry-after too', async () => {
    const mock = await mockWith(
      onCall('message', { kind: 'rateLimit', after: 0, for: 1, retryAfterS: 1 }),
    );
    const t0 = performance.now();
    const msg = await message(anthropic(`${mock.url}/anthropic`, { maxRetries: 2 }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
    expect(msg.stop_reason).toBe('tool_use');
    expect((await stats(mock)).upstreams['anthropic']?.requests).toBe(2);
  });

  it('a 429 that does not clear costs the SDK its default 3 attempts; retry-after-ms is read first', async () => {
    const mock = await mockWith(onCall('chat', { kind: 'rateLimit', retryAfterS: 0.05 }));
    const client = new OpenAI({ apiKey: 'k', baseURL: `${mock.url}/openai/v1` });
    const t0 = performance.now();
    const err = await rejection(chat(client));
    const elapsed = performance.now() - t0;
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after-ms')).toBe(
      '50',
    );
    // Two waits of 50 ms, not two of the whole second that retry-after (rounded up) says.
    expect(elapsed).toBeGreaterThanOrEqual(100 - TIMER_SLACK_MS);
    expect(elapsed).toBeLessThan(1900);
    expect((await stats(mock)).upstreams['openai']).toMatchObject({
      requests: 3,
      faults: { rateLimit: 3 },
    });
  });

  it('anthropic: RateLimitError with rate_limit_error and anthropic-ratelimit headers', async () => {
    const mock = await mockWith(onCall('message', { kind: 'rateLimit', retryAfterS: 30 }));
    const err = await rejection(message(anthropic(`${mock.url}/anthropic`)));
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const e = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(e.headers?.get('retry-after')).toBe('30');
    expect(e.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(Date.parse(e.headers?.get('anthropic-ratelimit-requests-reset') ?? '')).toBeGreaterThan(
      Date.now(),
    );
    expect(e.requestID).toMatch(/^req_/);
  });

  it('gemini: ApiError 429 RESOURCE_EXHAUSTED with a RetryInfo delay', async () => {
    const mock = await mockWith(onCall('generate', { kind: 'rateLimit', retryAfterS: 22 }));
    const err = await rejection(generate(gemini(`${mock.url}/gemini`)));
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.status).toBe(429);
    const body = JSON.parse(e.message) as {
      error: { code: number; status: string; details: { retryDelay?: string }[] };
    };
    expect(body.error.code).toBe(429);
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(body.error.details.map((d) => d.retryDelay)).toContain('22s');
  });
});

describe('server errors', () => {
  it('anthropic: 529 surfaces as OverloadedError with overloaded_error, streamed or not', async () => {
    const mock = await mockWith({
      calls: {
        message: [{ kind: 'serverError', status: 529 }],
        messageStream: [{ kind: 'serverError', status: 529 }],
      },
    });
    const client = anthropic(`${mock.url}/anthropic`);
    for (const call of [() => message(client), () => messageStream(client)]) {
      const err = await rejection(call());
      expect(err).toBeInstanceOf(Anthropic.InternalServerError);
      expect(err).toBeInstanceOf(Anthropic.APIError);
      const e = err as InstanceType<typeof Anthropic.APIError>;
      expect(e.constructor.name).toBe('OverloadedError');
      expect(e.status).toBe(529);
      expect(e.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    }
  });

  for (const status of [500, 502, 503] as const) {
    it(`${status} reaches each SDK in its provider's error shape`, async () => {
      const fault = { kind: 'serverError', status };
      const mock = await mockWith({
        calls: { chat: [fault], message: [fault], generate: [fault] },
      });

      const o = await rejection(chat(openai(`${mock.url}/openai`)));
      expect(o).toBeInstanceOf(OpenAI.InternalServerError);
      const oe = o as InstanceType<typeof OpenAI.InternalServerError>;
      expect(oe.status).toBe(status);
      expect(oe.type).toBe('server_error');
      expect(oe.headers.get('x-tapedeck-fault')).toBe('serverError');

      const a = await rejection(message(anthropic(`${mock.url}/anthropic`)));
      expect(a).toBeInstanceOf(Anthropic.InternalServerError);
      const ae = a as InstanceType<typeof Anthropic.InternalServerError>;
      expect(ae.status).toBe(status);
      expect(ae.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      if (status === 503) expect(ae).toBeInstanceOf(Anthropic.ServiceUnavailableError);

      const g = await rejection(generate(gemini(`${mock.url}/gemini`)));
      expect(g).toBeInstanceOf(ApiError);
      expect((g as ApiError).status).toBe(status);
      const body = JSON.parse((g as ApiError).message) as { error: { status: string } };
      expect(body.error.status).toBe(status === 500 ? 'INTERNAL' : 'UNAVAILABLE');
    });
  }

  it('529 outside Anthropic is the vendor’s own overload: openai 503, gemini 503 UNAVAILABLE', async () => {
    const fault = { kind: 'serverError', status: 529 };
    const mock = await mockWith({ calls: { chat: [fault], generate: [fault] } });
    const o = await rejection(chat(openai(`${mock.url}/openai`)));
    expect((o as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    const g = await rejection(generate(gemini(`${mock.url}/gemini`)));
    expect((g as ApiError).status).toBe(503);
    expect((g as ApiError).message).toContain('UNAVAILABLE');
  });
});

describe('latency', () => {
  it('a fixed time to headers delays each SDK by at least that much', async () => {
    const fault = { kind: 'latency', ttfb: { fixed: 300 } };
    const mock = await mockWith({ calls: { chat: [fault], message: [fault], generate: [fault] } });
    const timed = async (run: () => Promise<unknown>) => {
      const t0 = performance.now();
      await run();
      return performance.now() - t0;
    };
    for (const ms of [
      await timed(() => chat(openai(`${mock.url}/openai`))),
      await timed(() => message(anthropic(`${mock.url}/anthropic`))),
      await timed(() => generate(gemini(`${mock.url}/gemini`))),
    ]) {
      expect(ms).toBeGreaterThanOrEqual(300 - TIMER_SLACK_MS);
      expect(ms).toBeLessThan(300 + 2000);
    }
  });

  for (const perEvent of [
    { uniform: [40, 60] },
    { lognormal: { median: 40, p95: 120 } },
  ] as const) {
    it(`per-event gaps (${Object.keys(perEvent)[0]}) slow a stream by the drawn gaps`, async () => {
      const fault = { kind: 'latency', perEvent };
      const mock = await mockWith(onCall('chatStream', fault));
      // The gaps the engine draws for this request (seed "1", the call's first fault, request 1).
      const id = await callId('chatStream');
      const plan = new FaultEngine({ seed: '1', scoped: [] }).plan(
        { upstream: 'openai', provider: 'openai', model: 'gpt-4o-mini', path: '' },
        id,
        sourcesOf([Fault.parse(fault)], `call:${id}`),
        0,
      );
      const gap = plan.eventGapMs as (i: number) => number;

      const t0 = performance.now();
      const arrivals: number[] = [];
      for await (const _chunk of await chatStream(openai(`${mock.url}/openai`)))
        arrivals.push(performance.now() - t0);
      expect(arrivals.length).toBeGreaterThan(4);
      let due = 0;
      arrivals.forEach((at, i) => {
        if (i > 0) due += gap(i);
        expect(at, `chunk ${i}`).toBeGreaterThanOrEqual(due - TIMER_SLACK_MS);
      });
      expect(due).toBeGreaterThan(40 * (arrivals.length - 1) * 0.5);
      expect(arrivals.at(-1)).toBeLessThan(due + 2000);
    });
  }

  it('a finite hang before headers is a delay; the SDK gets the reply', async () => {
    const mock = await mockWith(onCall('chat', { kind: 'hang', beforeHeadersMs: 300 }));
    const t0 = performance.now();
    const completion = await chat(openai(`${mock.url}/openai`, { timeout: 5000 }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(300 - TIMER_SLACK_MS);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });
});

describe('hangs', () => {
  it('no headers until the client gives up: each SDK’s timeout fires', async () => {
    const fault = { kind: 'hang', beforeHeadersMs: null };
    const lines: string[] = [];
    const mock = await mockWith(
      { calls: { chat: [fault], message: [fault], generate: [fault] } },
      { log: (l) => lines.push(l) },
    );
    const timeout = 400;
    const cases: Array<[string, () => Promise<unknown>, (e: unknown) => void]> = [
      [
        'openai',
        () => chat(openai(`${mock.url}/openai`, { timeout })),
        (e) => expect(e).toBeInstanceOf(OpenAI.APIConnectionTimeoutError),
      ],
      [
        'anthropic',
        () => message(anthropic(`${mock.url}/anthropic`, { timeout })),
        (e) => expect(e).toBeInstanceOf(Anthropic.APIConnectionTimeoutError),
      ],
      [
        'gemini',
        () => generate(gemini(`${mock.url}/gemini`, { timeout })),
        (e) => expect((e as Error).name).toBe('AbortError'),
      ],
    ];
    for (const [name, run, check] of cases) {
      const t0 = performance.now();
      const err = await rejection(run());
      const elapsed = performance.now() - t0;
      check(err);
      expect(elapsed, name).toBeGreaterThanOrEqual(timeout - TIMER_SLACK_MS);
      expect(elapsed, name).toBeLessThan(timeout + 3000);
    }
    // The mock let go of each request when its client did: a request is logged when it ends.
    await expect
      .poll(() => lines.filter((l) => /^mock #\d+ .* faults=hang/.test(l)))
      .toHaveLength(3);
  });

  it('the openai SDK retries a hung request after its timeout; every attempt hangs', async () => {
    const mock = await mockWith(onCall('chat', { kind: 'hang' }));
    const err = await rejection(
      chat(openai(`${mock.url}/openai`, { timeout: 200, maxRetries: 1 })),
    );
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect((await stats(mock)).upstreams['openai']).toMatchObject({
      requests: 2,
      faults: { hang: 2 },
    });
  });

  it('a stream that stalls after K events: K arrive, then nothing until the caller aborts', async () => {
    const fault = { kind: 'hang', afterEvents: 2, ms: null };
    const mock = await mockWith({ calls: { chatStream: [fault], messageStream: [fault] } });
    // SDK timeouts cover the wait for headers only: a stalled body needs the caller's signal.
    const o = await drain(
      await chatStream(openai(`${mock.url}/openai`, { timeout: 200 }), AbortSignal.timeout(600)),
    );
    expect(o.items).toHaveLength(2);
    expect(o.elapsedMs).toBeGreaterThanOrEqual(600 - 200 - TIMER_SLACK_MS);

    const controller = new AbortController();
    const stream = await anthropic(`${mock.url}/anthropic`).messages.create(
      {
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [
          {
            name: 'get_weather',
            description: 'Current weather for a city',
            input_schema: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        ],
        stream: true,
      },
      { signal: controller.signal },
    );
    const seen: string[] = [];
    const drained = (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((e: unknown) => e);
    await sleep(500);
    expect(seen).toEqual(['message_start', 'content_block_start']);
    controller.abort();
    await drained;
    expect(seen).toHaveLength(2);
  });

  it('a stall after more events than the stream has withholds its end', async () => {
    const mock = await mockWith(
      onCall('generateStream', { kind: 'hang', afterEvents: 100, ms: 400 }),
    );
    const t0 = performance.now();
    const arrivals: number[] = [];
    let text = '';
    for await (const chunk of await generateStream(gemini(`${mock.url}/gemini`))) {
      arrivals.push(performance.now() - t0);
      text += chunk.text ?? '';
    }
    const ended = performance.now() - t0;
    expect(text).toBe('The capital of France is Paris.');
    // The chunks came at once (--timing instant); the end of the body 400 ms later.
    expect(ended - (arrivals.at(-1) ?? 0)).toBeGreaterThanOrEqual(400 - 50);
  });

  it('a stall with ms resumes: the whole stream arrives, that much later', async () => {
    const mock = await mockWith(onCall('chatStream', { kind: 'hang', afterEvents: 2, ms: 300 }));
    // From before the request: the stall may begin before the SDK hands over the stream (the
    // first two events can be written before create() resolves), so drain's own clock starts late.
    const t0 = performance.now();
    const { items, error } = await drain(await chatStream(openai(`${mock.url}/openai`)));
    const elapsedMs = performance.now() - t0;
    expect(error).toBeNull();
    expect(items.at(-1)?.usage).toBeTruthy();
    expect(elapsedMs).toBeGreaterThanOrEqual(300 - TIMER_SLACK_MS);
  });
});

/** How undici reports a connection the server destroyed mid-body. */
function isConnectionCut(e: unknown): boolean {
  const text = `${String(e)} ${String((e as { cause?: unknown } | null)?.cause)}`;
  return /terminated|other side closed|socket/i.test(text);
}

describe('cut streams', () => {
  it('openai chat stream: K chunks, then a stream error (not a hang, not a clean end)', async () => {
    const mock = await mockWith(onCall('chatStream', { kind: 'cutStream', afterEvents: 2 }));
    const { items, error, elapsedMs } = await drain(await chatStream(openai(`${mock.url}/openai`)));
    expect(items).toHaveLength(2);
    expect(error).toBeInstanceOf(Error);
    expect(isConnectionCut(error), String(error)).toBe(true);
    expect(elapsedMs).toBeLessThan(5000);
  });

  it('openai responses stream: K events, then a stream error', async () => {
    const mock = await mockWith(onCall('responsesStream', { kind: 'cutStream', afterEvents: 3 }));
    const { items, error } = await drain(await responsesStream(openai(`${mock.url}/openai`)));
    expect(items.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
    ]);
    expect(isConnectionCut(error), String(error)).toBe(true);
  });

  it('anthropic stream: K events, then a stream error; the stream helper rejects', async () => {
    const mock = await mockWith(onCall('messageStream', { kind: 'cutStream', afterEvents: 4 }));
    const client = anthropic(`${mock.url}/anthropic`);
    const { items, error } = await drain(await messageStream(client));
    // Four events went out; the SDK does not yield the third, a ping.
    expect(items.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
    ]);
    expect(isConnectionCut(error), String(error)).toBe(true);

    const final = await rejection(
      client.messages
        .stream({
          model: 'claude-sonnet-4-6',
          max_tokens: 1024,
          messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
          tools: [
            {
              name: 'get_weather',
              description: 'Current weather for a city',
              input_schema: {
                type: 'object',
                properties: { city: { type: 'string' } },
                required: ['city'],
              },
            },
          ],
        })
        .finalMessage(),
    );
    expect(final).toBeInstanceOf(Anthropic.AnthropicError);
    expect(isConnectionCut(final), String(final)).toBe(true);
  });

  it('gemini stream: K chunks, then a stream error', async () => {
    const mock = await mockWith(onCall('generateStream', { kind: 'cutStream', afterEvents: 1 }));
    const { items, error } = await drain(await generateStream(gemini(`${mock.url}/gemini`)));
    expect(items.map((c) => c.text)).toEqual(['The capital']);
    expect(isConnectionCut(error), String(error)).toBe(true);
  });

  it('a stream shorter than K still ends in a cut, not a clean end', async () => {
    // Gemini streams have no end marker: the end of the body is the end of the reply.
    const mock = await mockWith(onCall('generateStream', { kind: 'cutStream', afterEvents: 100 }));
    const { items, error } = await drain(await generateStream(gemini(`${mock.url}/gemini`)));
    expect(items.map((c) => c.text).join('')).toBe('The capital of France is Paris.');
    expect(isConnectionCut(error), String(error)).toBe(true);
  });

  it('a non-streamed reply is cut halfway through its body', async () => {
    const mock = await mockWith(onCall('chat', { kind: 'cutStream', afterEvents: 0 }));
    const err = await rejection(chat(openai(`${mock.url}/openai`)));
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(SyntaxError);
  });
});

describe('malformed replies', () => {
  it('invalidJson and truncate: each SDK fails to parse the body', async () => {
    for (const mode of ['invalidJson', 'truncate']) {
      const fault = { kind: 'malformed', mode };
      const mock = await mockWith({
        calls: { chat: [fault], message: [fault], generate: [fault] },
      });
      for (const run of [
        () => chat(openai(`${mock.url}/openai`)),
        () => message(anthropic(`${mock.url}/anthropic`)),
        () => generate(gemini(`${mock.url}/gemini`)),
      ]) {
        const err = await rejection(run());
        expect(err, mode).toBeInstanceOf(SyntaxError);
      }
    }
  });

  it('dropField and wrongType: the SDK hands the malformed value to the app', async () => {
    const mock = await mockWith({
      calls: {
        chat: [{ kind: 'malformed', mode: 'dropField' }],
        message: [{ kind: 'malformed', mode: 'wrongType' }],
        generate: [{ kind: 'malformed', mode: 'dropField' }],
      },
    });
    const completion = await chat(openai(`${mock.url}/openai`));
    expect(completion.choices).toBeUndefined();
    expect(completion.usage?.prompt_tokens).toBe(1200);

    const msg = await message(anthropic(`${mock.url}/anthropic`));
    expect(msg.content).toEqual({});
    expect(msg.stop_reason).toBe('tool_use');

    const response = await generate(gemini(`${mock.url}/gemini`));
    expect(response.candidates).toBeUndefined();
    expect(response.text).toBeUndefined();
    expect(response.functionCalls).toBeUndefined();
  });

  it('wrongType at a path the user names', async () => {
    const mock = await mockWith(
      onCall('chat', {
        kind: 'malformed',
        mode: 'wrongType',
        path: '$.choices[0].message.content',
      }),
    );
    const completion = await chat(openai(`${mock.url}/openai`));
    // null became 0: code that does `content ?? ''` then calls string methods breaks.
    expect(completion.choices[0]?.message.content).toBe(0);
  });

  it('streams: invalid JSON in one event is an SDK parse error after the events before it', async () => {
    const fault = { kind: 'malformed', mode: 'invalidJson' };
    const mock = await mockWith({ calls: { chatStream: [fault], messageStream: [fault] } });
    const o = await drain(await chatStream(openai(`${mock.url}/openai`)));
    expect(o.items.length).toBeGreaterThan(0);
    expect(o.error).toBeInstanceOf(SyntaxError);
    const a = await drain(await messageStream(anthropic(`${mock.url}/anthropic`)));
    expect(a.items.length).toBeGreaterThan(0);
    expect(a.error).toBeInstanceOf(SyntaxError);
  });

  it('streams: truncate ends the stream early but cleanly; no finish, no final message', async () => {
    const fault = { kind: 'malformed', mode: 'truncate' };
    const mock = await mockWith({ calls: { chatStream: [fault], messageStream: [fault] } });
    const full =
      (await readFile(path.join(golden.dir, 'calls', golden.files.chatStream), 'utf8')).split(
        '"at":',
      ).length - 1;
    const o = await drain(await chatStream(openai(`${mock.url}/openai`)));
    expect(o.error).toBeNull();
    // The recorded stream ends with [DONE], which the SDK does not yield.
    expect(o.items.length).toBe(Math.floor(full / 2));
    expect(o.items.some((c) => c.choices[0]?.finish_reason)).toBe(false);

    const final = await rejection(
      anthropic(`${mock.url}/anthropic`)
        .messages.stream({
          model: 'claude-sonnet-4-6',
          max_tokens: 1024,
          messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
          tools: [
            {
              name: 'get_weather',
              description: 'Current weather for a city',
              input_schema: {
                type: 'object',
                properties: { city: { type: 'string' } },
                required: ['city'],
              },
            },
          ],
        })
        .finalMessage(),
    );
    expect(final).toBeInstanceOf(Anthropic.AnthropicError);
    expect(String(final)).toMatch(/ended without/);
  });

  it('streams: dropField gives one chunk without the field the app reads', async () => {
    const mock = await mockWith(onCall('chatStream', { kind: 'malformed', mode: 'dropField' }));
    const { items, error } = await drain(await chatStream(openai(`${mock.url}/openai`)));
    expect(error).toBeNull();
    expect(items.filter((c) => c.choices === undefined)).toHaveLength(1);
  });

  it('toolName: web_search arrives as web_serch, non-streamed and streamed', async () => {
    const fault = { kind: 'malformed', mode: 'toolName' };
    const mock = await mockWith({ calls: { searchChat: [fault], searchChatStream: [fault] } });
    const client = openai(`${mock.url}/search`);
    const completion = await searchChat(client);
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('web_serch');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(SEARCH_ARGS);

    let name = '';
    let args = '';
    for await (const chunk of await searchChatStream(client)) {
      for (const t of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += t.function?.name ?? '';
        args += t.function?.arguments ?? '';
      }
    }
    expect(name).toBe('web_serch');
    expect(JSON.parse(args)).toEqual(SEARCH_ARGS);
  });

  it('toolName reaches the Anthropic and Gemini SDKs as the misspelt name', async () => {
    const fault = { kind: 'malformed', mode: 'toolName' };
    const mock = await mockWith({
      calls: { message: [fault], messageStream: [fault], generate: [fault] },
    });
    const msg = await message(anthropic(`${mock.url}/anthropic`));
    expect(msg.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weathr' });
    const { items } = await drain(await messageStream(anthropic(`${mock.url}/anthropic`)));
    const started = items.flatMap((e) =>
      e.type === 'content_block_start' && e.content_block.type === 'tool_use'
        ? [e.content_block.name]
        : [],
    );
    expect(started).toEqual(['get_weathr']);
    const response = await generate(gemini(`${mock.url}/gemini`));
    expect(response.functionCalls?.map((c) => c.name)).toEqual(['get_weathr']);
  });

  it('toolArgs: valid JSON of the wrong shape, non-streamed and streamed', async () => {
    const fault = { kind: 'malformed', mode: 'toolArgs' };
    const mock = await mockWith({
      calls: { searchChat: [fault], searchChatStream: [fault], messageStream: [fault] },
    });
    const client = openai(`${mock.url}/search`);
    const expected = { ...SEARCH_ARGS, query: [SEARCH_ARGS.query] };
    const call = (await searchChat(client)).choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('web_search');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(expected);

    let args = '';
    for await (const chunk of await searchChatStream(client))
      for (const t of chunk.choices[0]?.delta.tool_calls ?? []) args += t.function?.arguments ?? '';
    expect(JSON.parse(args)).toEqual(expected);

    let json = '';
    for await (const e of await messageStream(anthropic(`${mock.url}/anthropic`)))
      if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta')
        json += e.delta.partial_json;
    expect(JSON.parse(json)).toMatchObject({ city: ['Paris'] });
  });

  it('textThenHalfTool: text with half a tool payload, no tool call, a normal finish', async () => {
    const fault = { kind: 'malformed', mode: 'textThenHalfTool' };
    const mock = await mockWith({ calls: { searchChat: [fault], searchChatStream: [fault] } });
    const client = openai(`${mock.url}/search`);
    const payload = JSON.stringify({ name: 'web_search', arguments: SEARCH_ARGS });
    const half = payload.slice(0, Math.ceil(payload.length / 2));

    const choice = (await searchChat(client)).choices[0];
    expect(choice?.message.tool_calls).toBeUndefined();
    expect(choice?.message.content).toBe(half);
    expect(choice?.finish_reason).toBe('stop');

    let text = '';
    let finish: string | null = null;
    let toolDeltas = 0;
    for await (const chunk of await searchChatStream(client)) {
      const c = chunk.choices[0];
      text += c?.delta.content ?? '';
      toolDeltas += c?.delta.tool_calls?.length ?? 0;
      finish = c?.finish_reason ?? finish;
    }
    expect(text).toBe(`Searching.${half}`);
    expect(toolDeltas).toBe(0);
    expect(finish).toBe('stop');
    expect(() => JSON.parse(half) as unknown).toThrow(SyntaxError);
  });
});

describe('schedules through the SDK', () => {
  it('a vendor fine for 3 requests, then failing (requests "4-", in tapedeck.json)', async () => {
    const mock = await mockWith({
      manifest: [
        {
          kind: 'serverError',
          status: 503,
          scope: { upstream: 'openai' },
          when: { requests: '4-' },
        },
      ],
    });
    const client = openai(`${mock.url}/openai`);
    const outcomes: Array<number | 'ok'> = [];
    for (let i = 0; i < 6; i++) {
      try {
        await chat(client);
        outcomes.push('ok');
      } catch (e) {
        outcomes.push((e as InstanceType<typeof OpenAI.APIError>).status ?? -1);
      }
    }
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 503, 503, 503]);
    // Other vendors are out of scope.
    await message(anthropic(`${mock.url}/anthropic`));
  });

  it('a vendor fine for 3 requests, then slow', async () => {
    const mock = await mockWith({
      manifest: [
        {
          kind: 'latency',
          ttfb: { fixed: 300 },
          scope: { upstream: 'openai' },
          when: { requests: '4-' },
        },
      ],
    });
    const client = openai(`${mock.url}/openai`);
    const faults: Array<string | null> = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const { response } = await chat(client).withResponse();
      const ms = performance.now() - t0;
      faults.push(response.headers.get('x-tapedeck-fault'));
      if (i >= 3) expect(ms).toBeGreaterThanOrEqual(300 - TIMER_SLACK_MS);
    }
    expect(faults).toEqual([null, null, null, 'latency', 'latency']);
  });

  it('every: 3 breaks every third request', async () => {
    const mock = await mockWith(
      onCall('chat', { kind: 'serverError', status: 500, when: { every: 3 } }),
    );
    const client = openai(`${mock.url}/openai`);
    const outcomes: string[] = [];
    for (let i = 0; i < 9; i++) {
      outcomes.push(
        await chat(client).then(
          () => 'ok',
          (e: InstanceType<typeof OpenAI.APIError>) => String(e.status),
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'ok', '500', 'ok', 'ok', '500', 'ok', 'ok', '500']);
  });

  it('afterMs: fine at first, failing once that long has passed since start (or reset)', async () => {
    const mock = await mockWith(
      onCall('chat', { kind: 'serverError', status: 503, when: { afterMs: 1500 } }),
    );
    const client = openai(`${mock.url}/openai`);
    await fetch(`${mock.url}/__tapedeck/reset`, { method: 'POST' });
    const t0 = performance.now();
    await chat(client);
    await sleep(1500 - (performance.now() - t0) + 50);
    const err = await rejection(chat(client));
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    // reset starts the clock again.
    await fetch(`${mock.url}/__tapedeck/reset`, { method: 'POST' });
    await chat(client);
  });

  it('the same seed gives the same x-tapedeck-fault sequence over two runs of 50; another seed differs', async () => {
    const manifest = [
      { kind: 'serverError', status: 503, when: { probability: 0.15 } },
      { kind: 'latency', ttfb: { fixed: 1 }, when: { probability: 0.3 } },
      { kind: 'malformed', mode: 'toolName', when: { probability: 0.3 } },
    ];
    const run = async (seed: string) => {
      const mock = await mockWith({ manifest }, { seed });
      const seq: string[] = [];
      for (let i = 0; i < 50; i++) {
        const r = await rawChat(mock.url);
        seq.push(`${r.status}:${String(r.headers['x-tapedeck-fault'] ?? '')}`);
      }
      await mock.close();
      cleanups.pop();
      return seq;
    };
    const first = await run('ci-1234');
    expect(await run('ci-1234')).toEqual(first);
    expect(new Set(first).size).toBeGreaterThanOrEqual(4);
    expect(first.filter((s) => s.startsWith('503')).length).toBeGreaterThan(0);
    expect(await run('ci-9999')).not.toEqual(first);
  });
});

describe('the three places faults live', () => {
  it('a scenario adds its faults to tapedeck.json’s; without --scenario they do not apply', async () => {
    const faults: SnapshotFaults = {
      manifest: [{ kind: 'latency', ttfb: { fixed: 1 }, scope: { provider: 'openai' } }],
      scenarios: {
        outage: [{ kind: 'serverError', status: 529, scope: { provider: 'anthropic' } }],
      },
    };
    const withScenario = await mockWith(faults, { scenario: 'outage' });
    const err = await rejection(message(anthropic(`${withScenario.url}/anthropic`)));
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    const { response } = await chat(openai(`${withScenario.url}/openai`)).withResponse();
    expect(response.headers.get('x-tapedeck-fault')).toBe('latency');

    const without = await mockWith(faults);
    expect((await message(anthropic(`${without.url}/anthropic`))).stop_reason).toBe('tool_use');
  });

  it('an unknown scenario is refused at start, naming the ones there are', async () => {
    const dir = await snapshotWith(golden, { scenarios: { outage: [] } });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await expect(startMockServer({ dir, port: 0, scenario: 'nope', log: quiet })).rejects.toThrow(
      /no scenario "nope".*found: outage/,
    );
  });

  it('faults edited while the mock runs apply without a restart', async () => {
    const mock = await mockWith({ scenarios: { live: [] } }, { scenario: 'live' });
    const client = openai(`${mock.url}/openai`);
    const faultOf = async () => {
      try {
        const { response } = await chat(client).withResponse();
        return `200 ${response.headers.get('x-tapedeck-fault') ?? '-'}`;
      } catch (e) {
        const err = e as InstanceType<typeof OpenAI.APIError>;
        return `${err.status} ${err.headers?.get('x-tapedeck-fault') ?? '-'}`;
      }
    };
    const edit = async (change: () => Promise<void>) => {
      const next = mock.reloaded();
      await change();
      await next;
    };
    expect(await faultOf()).toBe('200 -');

    await edit(() =>
      addCallFaults(mock.dir, golden.files.chat, [{ kind: 'serverError', status: 502 }]),
    );
    expect(await faultOf()).toBe('502 serverError');

    await edit(async () => {
      await addCallFaults(mock.dir, golden.files.chat, []);
      await setManifestFaults(mock.dir, [{ kind: 'rateLimit', scope: { model: 'gpt-*' } }]);
    });
    expect(await faultOf()).toBe('429 rateLimit');

    await edit(async () => {
      await setManifestFaults(mock.dir, []);
      await writeScenario(mock.dir, 'live', [{ kind: 'latency', ttfb: { fixed: 1 } }]);
    });
    expect(await faultOf()).toBe('200 latency');

    await edit(() => writeScenario(mock.dir, 'live', []));
    expect(await faultOf()).toBe('200 -');
  });
});

describe('observability', () => {
  it('--log-json writes one line per request with its faults; stats count each kind', async () => {
    const dir = await snapshotWith(golden, {
      calls: {
        chat: [
          { kind: 'latency', ttfb: { fixed: 1 }, when: { every: 2 } },
          { kind: 'serverError', status: 500, when: { requests: '3' } },
          { kind: 'malformed', mode: 'toolName', when: { requests: '5' } },
        ],
      },
      manifest: [{ kind: 'rateLimit', scope: { upstream: 'anthropic' } }],
    });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const logJson = path.join(dir, '..', `${path.basename(dir)}.jsonl`);
    cleanups.push(() => rm(logJson, { force: true }));
    const lines: string[] = [];
    const mock = await startMockServer({
      dir,
      port: 0,
      timing: { mode: 'instant' },
      logJson,
      log: (l) => lines.push(l),
    });
    cleanups.push(() => mock.close());

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await rawChat(mock.url)).status);
    expect(statuses).toEqual([200, 200, 500, 200, 200, 200]);
    await rejection(message(anthropic(`${mock.url}/anthropic`)));
    // An unmatched request still meets the vendor-wide rate limit.
    const miss = await fetch(`${mock.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 1, messages: [] }),
    });
    expect(miss.status).toBe(429);

    const s = await stats(mock);
    expect(s.upstreams['openai']).toEqual({
      requests: 6,
      matched: 6,
      unmatched: 0,
      passthrough: 0,
      recorded: 0,
      // Six requests with one body: each after the first repeats it within 30 s.
      retries: 5,
      // The 500; the malformed reply went out as a 200, and no client gave up.
      errors: 1,
      giveUps: 0,
      faults: { latency: 3, serverError: 1, malformed: 1 },
      // Five replayed hits; the 500 in place of the third is not one (see mock-events.test.ts).
      costAvoidedUsd: expect.any(Number) as number,
    });
    expect(s.upstreams['anthropic']).toEqual({
      requests: 2,
      matched: 1,
      unmatched: 1,
      passthrough: 0,
      recorded: 0,
      retries: 0,
      errors: 2,
      giveUps: 0,
      faults: { rateLimit: 2 },
      // The one hit was answered with the 429, not the recording: nothing avoided.
      costAvoidedUsd: 0,
    });

    const chatId = await callId('chat');
    const records = await expect
      .poll(async () => {
        const text = await readFile(logJson, 'utf8').catch(() => '');
        return text.split('\n').filter(Boolean);
      })
      .toHaveLength(8)
      .then(async () =>
        (await readFile(logJson, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      );
    expect(records.map((r) => r['faults'])).toEqual([
      [],
      ['latency'],
      ['serverError'],
      ['latency'],
      ['malformed'],
      ['latency'],
      ['rateLimit'],
      ['rateLimit'],
    ]);
    expect(records.map((r) => r['status'])).toEqual([200, 200, 500, 200, 200, 200, 429, 429]);
    expect(records[0]).toMatchObject({
      request: 1,
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      matched: true,
      call: chatId,
      file: `calls/${golden.files.chat}`,
    });
    expect(records[7]).toMatchObject({ upstream: 'anthropic', matched: false, call: null });
    for (const r of records) expect(typeof r['durationMs']).toBe('number');

    // The human log: one line per request, faults named.
    const requestLines = lines.filter((l) => l.startsWith('mock #'));
    expect(requestLines).toHaveLength(8);
    expect(requestLines[2]).toMatch(/→ 500 .*faults=serverError/);
  });

  it('a request its client gave up on before any header is logged with status 0', async () => {
    const lines: string[] = [];
    const mock = await mockWith(onCall('chat', { kind: 'hang' }), { log: (l) => lines.push(l) });
    await rejection(chat(openai(`${mock.url}/openai`, { timeout: 200 })));
    await expect.poll(() => lines.filter((l) => l.startsWith('mock #'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith('mock #'))).toMatch(/→ 0 /);
  });
});

describe('the built CLI', () => {
  it('mock DIR --scenario NAME --port 0 serves the scenario’s faults to the SDK', async () => {
    assertBuilt();
    const dir = await snapshotWith(golden, {
      scenarios: {
        'anthropic-down': [{ kind: 'serverError', status: 529, scope: { provider: 'anthropic' } }],
      },
    });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const cli = await startCli(['mock', dir, '--scenario', 'anthropic-down', '--port', '0']);
    cleanups.push(async () => {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    });
    const err = await rejection(message(anthropic(`${cli.url}/anthropic`)));
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((await chat(openai(`${cli.url}/openai`))).choices).toHaveLength(1);
    expect(await cli.stop()).toEqual({ code: 0, signal: null });
    expect(cli.stderr()).toMatch(/anthropic POST \/v1\/messages → 529 .*faults=serverError/);
  });

  it('an unknown scenario name exits 2 with a one-line message', async () => {
    assertBuilt();
    const dir = await snapshotWith(golden, { scenarios: { 'anthropic-down': [] } });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const r = await runCli(['mock', dir, '--scenario', 'typo', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tapedeck: no scenario "typo" .*found: anthropic-down/);
  });
});
