/**
 * The fake upstream is only useful if the official SDKs accept it as the real provider: every SDK
 * scenario runs straight against it here, with no proxy in between.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';
import { credentialOf, scenarios } from './support/sdk-scenarios.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream({ eventDelayMs: 15 });
});
afterAll(async () => {
  await upstream.close();
});

describe('official SDKs against the fake upstream directly', () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const before = upstream.requests.length;
      const result = await scenario.run(upstream.url, 'sk-direct-KEY789');
      expect(result.text).toBe(scenario.text);
      expect(result.toolCalls).toEqual(scenario.toolCalls);
      expect(upstream.requests.length).toBe(before + 1);
      const received = upstream.requests[before];
      const cred = credentialOf(scenario.upstream, 'sk-direct-KEY789');
      expect(received?.headers[cred.header]).toBe(cred.value);
      if (scenario.stream)
        expect(Array.isArray(result.value) && result.value.length).toBeGreaterThan(2);
    });
  }
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const started = performance.now();
  const res = await request(`${upstream.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const arrivals: number[] = [];
  const parts: Buffer[] = [];
  for await (const part of res.body) {
    arrivals.push(performance.now() - started);
    parts.push(part as Buffer);
  }
  return { status: res.statusCode, headers: res.headers, raw: Buffer.concat(parts), arrivals };
}

function decode(raw: Buffer, encoding: unknown): string {
  if (encoding === 'gzip') return zlib.gunzipSync(raw).toString('utf8');
  if (encoding === 'br') return zlib.brotliDecompressSync(raw).toString('utf8');
  if (encoding === 'deflate') return zlib.inflateSync(raw).toString('utf8');
  return raw.toString('utf8');
}

describe('fake upstream wire behaviour', () => {
  it('spaces stream events out in time rather than sending one burst', async () => {
    const res = await post('/v1/messages', {
      model: 'claude-sonnet-4-6',
      stream: true,
      max_tokens: 10,
      messages: [],
    });
    expect(res.status).toBe(200);
    const text = res.raw.toString('utf8');
    expect(text.match(/^event: /gm)?.length).toBe(13);
    // 13 events, 15 ms apart: at least 12 gaps must have elapsed before the last byte.
    expect(res.arrivals.at(-1)).toBeGreaterThanOrEqual(12 * 15 - 5);
    expect(res.arrivals.length).toBeGreaterThan(3);
  });

  it('sends the include_usage chunk only when asked for it', async () => {
    const without = await post('/v1/chat/completions', {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [],
    });
    const withUsage = await post('/v1/chat/completions', {
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [],
    });
    expect(without.raw.toString()).not.toContain('"usage"');
    expect(withUsage.raw.toString()).toContain('"choices":[],"usage":{"prompt_tokens":85');
    expect(withUsage.raw.toString().trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  for (const encoding of ['gzip', 'br', 'deflate'] as const) {
    it(`compresses JSON and SSE replies with ${encoding} on request`, async () => {
      const json = await post(
        '/v1/chat/completions',
        { model: 'gpt-4o-mini', messages: [] },
        { 'x-fake-encoding': encoding },
      );
      expect(json.headers['content-encoding']).toBe(encoding);
      expect(() => JSON.parse(json.raw.toString('utf8'))).toThrow();
      expect(JSON.parse(decode(json.raw, encoding))).toMatchObject({ object: 'chat.completion' });

      const sse = await post(
        '/v1/responses',
        { model: 'gpt-4.1-mini', stream: true, input: 'hi' },
        { 'x-fake-encoding': encoding },
      );
      expect(sse.headers['content-encoding']).toBe(encoding);
      const text = decode(sse.raw, encoding);
      expect(text.match(/^event: response\./gm)?.length).toBe(15);
      expect(text).toContain('event: response.completed');
    });
  }

  it('answers unknown routes with an OpenAI-shaped 404 and records every request', async () => {
    const res = await post('/v1/nothing-here', {}, { authorization: 'Bearer sk-route-check' });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.raw.toString())).toMatchObject({
      error: { type: 'invalid_request_error' },
    });
    expect(upstream.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/nothing-here',
      headers: { authorization: 'Bearer sk-route-check' },
    });
  });
});
