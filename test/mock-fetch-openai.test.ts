/**
 * `createMockFetch({ snapshot })` as the openai SDK's `fetch`, with the SDK's default base URL
 * (api.openai.com): recorded chat and Responses calls come back as they were recorded, every request
 * is in `.calls`, a changed prompt is the SDK's NotFoundError with the mock's diff in `.misses`.
 * The same SDK at api.x.ai and openrouter.ai finds those vendors' recorded calls.
 */
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../shared/schema.js';
import { createMockFetch, type MockFetch } from '../testing/index.js';
import { bodyOf, chatRequest, DEMO, demoCalls, eventsOf, QUESTION } from './support/demo-calls.js';

let demo: Map<number, Call>;
beforeAll(async () => {
  demo = await demoCalls();
});

function client(fetch: MockFetch): OpenAI {
  return new OpenAI({ apiKey: 'test', fetch, maxRetries: 0 });
}

/** The SDK's parsed objects as plain JSON: what was on the wire, without the SDK's extras. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

describe('createMockFetch with the openai SDK at its default base URL', () => {
  it('answers a chat completion with the recorded reply', async () => {
    const fetch = createMockFetch({ snapshot: DEMO });
    const r = await client(fetch).chat.completions.create(chatRequest);
    expect(plain(r)).toEqual(bodyOf(demo.get(1)));
    expect(r.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'get_weather' },
    });
  });

  it('streams a chat completion as the recorded chunks', async () => {
    const fetch = createMockFetch({ snapshot: DEMO });
    const stream = await client(fetch).chat.completions.create({
      ...chatRequest,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: unknown[] = [];
    for await (const chunk of stream) chunks.push(plain(chunk));
    expect(chunks).toEqual(eventsOf(demo.get(2)));
    expect(fetch.calls[0]?.call).toBe(demo.get(2)?.id);
  });

  it('answers the Responses API, non-streamed and streamed', async () => {
    const fetch = createMockFetch({ snapshot: DEMO });
    const openai = client(fetch);
    const r = await openai.responses.create({ model: 'gpt-4.1-mini', input: QUESTION });
    expect(plain(r)).toMatchObject(bodyOf(demo.get(8)) as object);
    expect(r.output_text).not.toBe('');

    const tool = chatRequest.tools[0]!.function;
    const stream = await openai.responses.create({
      model: 'gpt-4.1-mini',
      input: QUESTION,
      tools: [{ type: 'function', strict: true, ...tool }],
      stream: true,
    });
    const events: unknown[] = [];
    for await (const e of stream) events.push(plain(e));
    expect(events).toEqual(eventsOf(demo.get(3)));
    expect(fetch.calls.map((c) => c.call)).toEqual([demo.get(8)?.id, demo.get(3)?.id]);
  });

  it('xAI and OpenRouter at their real hosts count as those upstreams', async () => {
    const fetch = createMockFetch({ snapshot: DEMO });
    const at = (baseURL: string) => new OpenAI({ apiKey: 'test', baseURL, fetch, maxRetries: 0 });
    const grok = await at('https://api.x.ai/v1').chat.completions.create({
      model: 'grok-3-mini',
      messages: [{ role: 'user', content: 'What is the weather like in Paris in May?' }],
    });
    expect(plain(grok)).toEqual(bodyOf(demo.get(9)));
    const routed = await at('https://openrouter.ai/api/v1').chat.completions.create({
      model: 'anthropic/claude-3.5-haiku',
      messages: [{ role: 'user', content: 'One tip for a rainy day in Paris?' }],
    });
    expect(plain(routed)).toEqual(bodyOf(demo.get(10)));
    expect(fetch.calls.map((c) => [c.upstream, c.call])).toEqual([
      ['xai', demo.get(9)?.id],
      ['openrouter', demo.get(10)?.id],
    ]);
  });

  it('records each request in .calls: provider, model, messages or input, body, call, status', async () => {
    const fetch = createMockFetch({ snapshot: DEMO });
    const openai = client(fetch);
    await openai.chat.completions.create(chatRequest);
    await openai.responses.create({ model: 'gpt-4.1-mini', input: QUESTION });

    expect(fetch.calls).toHaveLength(2);
    const [chat, responses] = fetch.calls;
    expect(chat).toMatchObject({
      provider: 'openai',
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      messages: chatRequest.messages,
      body: chatRequest,
      call: demo.get(1)?.id,
      status: 200,
      test: null,
    });
    expect(chat?.input).toBeUndefined();
    expect(responses).toMatchObject({
      provider: 'openai',
      path: '/v1/responses',
      model: 'gpt-4.1-mini',
      input: QUESTION,
      body: { model: 'gpt-4.1-mini', input: QUESTION },
      call: demo.get(8)?.id,
      status: 200,
    });
    expect(responses?.messages).toBeUndefined();
    expect(fetch.misses).toEqual([]);
  });

  it('a changed prompt is the SDK NotFoundError, and .misses names the difference', async () => {
    const fetch = createMockFetch({ snapshot: DEMO });
    const changed = {
      ...chatRequest,
      messages: [{ role: 'user' as const, content: 'What is the weather in Lyon?' }],
    };
    const error = await client(fetch)
      .chat.completions.create(changed)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);

    expect(fetch.calls[0]).toMatchObject({ call: 'miss', status: 404, messages: changed.messages });
    expect(fetch.misses).toHaveLength(1);
    const miss = fetch.misses[0]!;
    expect(miss).toMatchObject({
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      closest: demo.get(1)?.id,
      test: null,
    });
    expect(miss.diff).toHaveLength(1);
    expect(miss.diff[0]).toContain('$.messages[0].content');
    expect(miss.diff[0]).toContain('Paris');
    expect(miss.diff[0]).toContain('Lyon');
  });

  it('reset() forgets the calls and misses and starts the fault counters over', async () => {
    // Demo call 1 is rate-limited on its 4th and 5th request ("quota runs out": after 3, for 2).
    const fetch = createMockFetch({ snapshot: DEMO });
    const openai = client(fetch);
    for (let i = 0; i < 3; i++) await openai.chat.completions.create(chatRequest);
    await expect(
      openai.chat.completions.create({ ...chatRequest, model: 'gpt-4o' }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(fetch.calls).toHaveLength(4);
    expect(fetch.misses).toHaveLength(1);

    fetch.reset();
    expect(fetch.calls).toEqual([]);
    expect(fetch.misses).toEqual([]);
    const r = await openai.chat.completions.create(chatRequest);
    expect(plain(r)).toEqual(bodyOf(demo.get(1)));
    expect(fetch.calls).toHaveLength(1);

    // Without a reset the count goes on: requests 4 and 5 since the reset are the rate-limited ones.
    for (let i = 0; i < 2; i++) await openai.chat.completions.create(chatRequest);
    await expect(openai.chat.completions.create(chatRequest)).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
  });
});
