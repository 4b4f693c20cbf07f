/**
 * examples/gateway, startGateway in front of small OpenAI-shaped vendors on real sockets: what the
 * router does with each way a vendor fails. Transient failures (5xx, 429, a timeout, a refused
 * connection) move to the next vendor, the retry visible at that vendor as
 * `x-stainless-retry-count`; a rejection (400) and a parser error (a 200 that is not JSON, or whose
 * tool call cannot run) are never retried; a request no model covers is refused before any vendor
 * is called. Each decision is checked in the gateway's own log lines (event, rule, requestId,
 * vendor).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelEntry } from '../examples/gateway/registry.js';
import {
  chat,
  completion,
  entry,
  errorOf,
  imagePart,
  linesWith,
  ManualClock,
  ok,
  refusedPort,
  request,
  route,
  startTestGateway,
  startVendor,
  testOptions,
  weatherTool,
  type Reply,
  type StubVendor,
  type TestGateway,
  type VendorHit,
} from './support/gateway.js';

let vendors: StubVendor[] = [];
let gateway: TestGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  await Promise.all(vendors.map((v) => v.close()));
  gateway = undefined;
  vendors = [];
});

type Replier = (hit: VendorHit, model: string, n: number) => Reply;

/**
 * `bad` (cheapest, so picked first, with `good` as its fallback) answering with `badReply`, and
 * `good` answering a completion.
 */
async function pair(badReply: Replier, badEntry: Partial<ModelEntry> = {}) {
  const bad = await startVendor('bad', badReply);
  const good = await startVendor('good', ok('from good'));
  vendors.push(bad, good);
  gateway = await startTestGateway([
    entry('bad', bad.baseURL, { fallbacks: ['good'], ...badEntry }),
    entry('good', good.baseURL, { price: { input: 10, output: 10 } }),
  ]);
  return { bad, good, gw: gateway };
}

const status = (code: number) => (): Reply => ({
  status: code,
  json: { error: { message: `status ${code}`, type: 'server_error' } },
});

const events = (gw: TestGateway, requestId: string) =>
  gw.lines.filter((l) => l.requestId === requestId).map((l) => l.event);

describe('transient failures: another vendor, the retry counted at the vendor', () => {
  it.each([500, 429])('retries a %i on the fallback vendor', async (code) => {
    const { bad, good, gw } = await pair(status(code));
    const id = `t-${code}`;
    const a = await route(gw.url, chat(), { 'x-request-id': id });

    expect(a.status).toBe(200);
    expect(a.headers['x-gateway-vendor']).toBe('good');
    expect(a.headers['x-gateway-attempts']).toBe('2');
    expect(a.json).toMatchObject({ choices: [{ message: { content: 'from good' } }] });
    // The vendors see the request id and which try this is.
    expect(bad.hits.map((h) => h.headers['x-stainless-retry-count'])).toEqual(['0']);
    expect(good.hits.map((h) => h.headers['x-stainless-retry-count'])).toEqual(['1']);
    expect([...bad.hits, ...good.hits].map((h) => h.headers['x-request-id'])).toEqual([id, id]);
    expect(good.hits[0]?.body).toMatchObject({ model: 'good-model', stream: false });

    expect(events(gw, id)).toEqual(['route', 'attempt', 'attempt-failed', 'retry', 'done']);
    expect(linesWith(gw.lines, 'attempt-failed', id)).toEqual([
      expect.objectContaining({
        rule: 'transient',
        vendor: 'bad',
        kind: 'unavailable',
        status: code,
        seq: 1,
      }),
    ]);
    expect(linesWith(gw.lines, 'retry', id)).toEqual([
      expect.objectContaining({ rule: 'fallback-chain', vendor: 'good', attempt: 1, from: 'bad' }),
    ]);
    expect(linesWith(gw.lines, 'done', id)).toEqual([
      expect.objectContaining({ rule: 'fallback-chain', vendor: 'good', attempt: 1 }),
    ]);
  });

  it('numbers each retry at its vendor, and stops after maxRetries', async () => {
    const failing = await Promise.all(
      ['v1', 'v2', 'v3', 'v4'].map((n) => startVendor(n, status(503))),
    );
    vendors.push(...failing);
    // v1 cheapest, then v2, v3, v4: the chain follows the score.
    gateway = await startTestGateway(
      failing.map((v, i) => entry(v.name, v.baseURL, { price: { input: i + 1, output: i + 1 } })),
      testOptions({ maxRetries: 2 }),
    );
    const a = await route(gateway.url, chat(), { 'x-request-id': 'chain' });
    expect(a.status).toBe(502);
    expect(errorOf(a)).toMatchObject({ type: 'vendor_unavailable', vendor: 'v3' });
    expect(a.headers['x-gateway-attempts']).toBe('3');
    expect(failing.map((v) => v.hits.map((h) => h.headers['x-stainless-retry-count']))).toEqual([
      ['0'],
      ['1'],
      ['2'],
      [],
    ]);
    expect(linesWith(gateway.lines, 'failed', 'chain')).toEqual([
      expect.objectContaining({ rule: 'attempts-exhausted', vendor: 'v3' }),
    ]);
  });

  it('gives up on a vendor that never answers at its timeout, and falls back', async () => {
    const { bad, good, gw } = await pair(() => 'hang', { timeoutMs: 200 });
    const a = await route(gw.url, chat(), { 'x-request-id': 'hang' });
    expect(a.status).toBe(200);
    expect(a.headers['x-gateway-vendor']).toBe('good');
    expect(bad.hits).toHaveLength(1);
    expect(good.hits.map((h) => h.headers['x-stainless-retry-count'])).toEqual(['1']);
    expect(linesWith(gw.lines, 'attempt', 'hang')).toEqual([
      expect.objectContaining({ vendor: 'bad', timeoutMs: 200 }),
    ]);
    expect(linesWith(gw.lines, 'attempt-failed', 'hang')).toEqual([
      expect.objectContaining({
        rule: 'transient',
        vendor: 'bad',
        kind: 'timeout',
        reason: 'timeout after 200 ms',
      }),
    ]);
    expect(linesWith(gw.lines, 'done', 'hang')).toEqual([
      expect.objectContaining({ vendor: 'good' }),
    ]);
  });

  it('answers 504 vendor_timeout when the last vendor tried timed out', async () => {
    const silent = await startVendor('silent', () => 'hang');
    vendors.push(silent);
    gateway = await startTestGateway([entry('silent', silent.baseURL, { timeoutMs: 150 })]);
    const a = await route(gateway.url, chat(), { 'x-request-id': 'only-hang' });
    expect(a.status).toBe(504);
    expect(errorOf(a)).toMatchObject({
      type: 'vendor_timeout',
      vendor: 'silent',
      request_id: 'only-hang',
    });
  });

  it('falls back from a vendor whose port refuses the connection', async () => {
    const port = await refusedPort();
    const good = await startVendor('good', ok('from good'));
    vendors.push(good);
    gateway = await startTestGateway([
      entry('gone', `http://127.0.0.1:${port}/v1`, { fallbacks: ['good'] }),
      entry('good', good.baseURL, { price: { input: 10, output: 10 } }),
    ]);
    const a = await route(gateway.url, chat(), { 'x-request-id': 'refused' });
    expect(a.status).toBe(200);
    expect(a.headers['x-gateway-vendor']).toBe('good');
    expect(good.hits.map((h) => h.headers['x-stainless-retry-count'])).toEqual(['1']);
    expect(linesWith(gateway.lines, 'attempt-failed', 'refused')).toEqual([
      expect.objectContaining({ rule: 'transient', vendor: 'gone', kind: 'network' }),
    ]);
    expect(events(gateway, 'refused')).toEqual([
      'route',
      'attempt',
      'attempt-failed',
      'retry',
      'done',
    ]);
  });

  it('opens the breaker after 3 failures in a row, then lets one probe through after the cooldown', async () => {
    const clock = new ManualClock();
    let healthy = false;
    const flaky = await startVendor('flaky', (hit, model) =>
      healthy ? ok()(hit, model) : status(500)(),
    );
    vendors.push(flaky);
    gateway = await startTestGateway(
      [entry('flaky', flaky.baseURL)],
      testOptions({ now: clock.now }),
    );
    for (let i = 1; i <= 3; i++)
      expect((await route(gateway.url, chat(), { 'x-request-id': `f${i}` })).status).toBe(502);
    expect(linesWith(gateway.lines, 'breaker', 'f3')).toEqual([
      expect.objectContaining({
        rule: 'circuit-breaker',
        vendor: 'flaky',
        breaker: 'flaky/availability',
        to: 'open',
      }),
    ]);

    // Open: the vendor is not called at all.
    clock.advance(4999);
    const gated = await route(gateway.url, chat(), { 'x-request-id': 'f4' });
    expect(gated.status).toBe(503);
    expect(errorOf(gated)).toMatchObject({ type: 'no_vendor_available' });
    expect(flaky.hits).toHaveLength(3);
    expect(linesWith(gateway.lines, 'failed', 'f4')).toEqual([
      expect.objectContaining({ rule: 'all-vendors-gated', vendor: null }),
    ]);

    // Cooldown over: one probe, which succeeds and closes the breaker.
    healthy = true;
    clock.advance(1);
    const probed = await route(gateway.url, chat(), { 'x-request-id': 'f5' });
    expect(probed.status).toBe(200);
    expect(flaky.hits).toHaveLength(4);
    expect(linesWith(gateway.lines, 'attempt', 'f5')).toEqual([
      expect.objectContaining({ vendor: 'flaky', probe: true }),
    ]);
    expect(
      linesWith(gateway.lines, 'breaker', 'f5').map((l) => `${l.breaker} → ${l.to}`),
    ).toContain('flaky/availability → closed');
    expect(gateway.gw.router.view()[0]).toMatchObject({ availability: 'closed' });
  });
});

describe('a rejection is not retried', () => {
  it('passes a 400 back, logged no-retry-on-rejection, without calling the fallback', async () => {
    const { bad, good, gw } = await pair(status(400));
    const a = await route(gw.url, chat(), { 'x-request-id': 'rej' });
    expect(a.status).toBe(400);
    expect(a.headers['x-gateway-attempts']).toBe('1');
    expect(errorOf(a)).toMatchObject({ type: 'vendor_rejected', vendor: 'bad', request_id: 'rej' });
    expect(bad.hits).toHaveLength(1);
    expect(good.hits).toHaveLength(0);
    expect(linesWith(gw.lines, 'failed', 'rej')).toEqual([
      expect.objectContaining({ rule: 'no-retry-on-rejection', vendor: 'bad', status: 400 }),
    ]);
    expect(events(gw, 'rej')).not.toContain('retry');
  });
});

describe('a parser error is logged with vendor and request id, never retried', () => {
  const toolBody = chat({ tools: [weatherTool] });
  const toolReply =
    (name: string, args: string): Replier =>
    (_hit, model) => ({
      status: 200,
      json: completion(model, { toolCalls: [{ name, arguments: args }] }),
    });
  const cases: { what: string; body: Record<string, unknown>; reply: Replier; reason: RegExp }[] = [
    {
      what: 'a 200 whose JSON body is cut short',
      body: chat(),
      reply: () => ({
        status: 200,
        raw: '{"id":"chatcmpl-1","choices":[',
        contentType: 'application/json',
      }),
      reason: /^reply is not JSON: /,
    },
    {
      what: 'a 200 that is not JSON at all',
      body: chat(),
      reply: () => ({ status: 200, raw: '<html>upstream error</html>', contentType: 'text/html' }),
      reason: /^no choices in the reply$/,
    },
    {
      what: 'tool call arguments of the wrong type',
      body: toolBody,
      reply: toolReply('get_weather', '{"city":42}'),
      reason: /^arguments of get_weather: \/city must be string$/,
    },
    {
      what: 'tool call arguments missing a required property',
      body: toolBody,
      reply: toolReply('get_weather', '{}'),
      reason: /^arguments of get_weather: \/ must have required property 'city'$/,
    },
    {
      what: 'tool call arguments that are not JSON',
      body: toolBody,
      reply: toolReply('get_weather', '{"city":"Par'),
      reason: /^arguments of get_weather are not JSON$/,
    },
    {
      what: 'a tool call to a tool the request did not declare',
      body: toolBody,
      reply: toolReply('get_wether', '{"city":"Paris"}'),
      reason: /^unknown tool "get_wether"$/,
    },
  ];

  it.each(cases)('$what: 502 parser_error, and the gateway keeps serving', async (c) => {
    // The first reply is the broken one; the vendor answers well after it.
    const { bad, good, gw } = await pair((hit, model, n) =>
      n === 0 ? c.reply(hit, model, n) : ok('fine again')(hit, model),
    );
    const a = await route(gw.url, c.body, { 'x-request-id': 'pe-1' });
    expect(a.status).toBe(502);
    expect(a.headers['x-gateway-attempts']).toBe('1');
    expect(errorOf(a)).toMatchObject({ type: 'parser_error', vendor: 'bad', request_id: 'pe-1' });
    expect(good.hits).toHaveLength(0);
    const [pe, ...more] = linesWith(gw.lines, 'parser-error');
    expect(more).toEqual([]);
    expect(pe).toMatchObject({ rule: 'no-retry-on-malformed', vendor: 'bad', requestId: 'pe-1' });
    expect(pe?.reason).toMatch(c.reason);
    expect(events(gw, 'pe-1')).not.toContain('retry');

    // Still serving: the next request is answered, and nothing failed inside the gateway.
    const next = await route(gw.url, c.body, { 'x-request-id': 'pe-2' });
    expect(next.status).toBe(200);
    expect((await request(gw.url, { path: '/health' })).status).toBe(200);
    expect(bad.hits.length + good.hits.length).toBe(2);
    expect(gw.lines.filter((l) => l.rule === 'internal-error')).toEqual([]);
  });
});

describe('capability filter: no model covers the request', () => {
  const cases = [
    {
      need: 'vision',
      body: chat({ messages: [{ role: 'user', content: [imagePart] }] }),
      lacks: { supports: { tools: true, vision: false } },
      why: 'capability: no image input',
    },
    {
      need: 'tools',
      body: chat({ tools: [weatherTool] }),
      lacks: { supports: { tools: false, vision: true } },
      why: 'capability: no tool calling',
    },
    {
      need: 'context',
      body: chat({ max_tokens: 50_000 }),
      lacks: { contextWindow: 32_000 },
      why: expect.stringMatching(/^capability: context \d+ tokens > window 32000$/) as unknown,
    },
  ];

  it.each(cases)('refuses a $need request with 422, calling no vendor', async (c) => {
    const x = await startVendor('x', ok());
    const y = await startVendor('y', ok());
    vendors.push(x, y);
    gateway = await startTestGateway([
      entry('x', x.baseURL, c.lacks),
      entry('y', y.baseURL, c.lacks),
    ]);
    const a = await route(gateway.url, c.body, { 'x-request-id': `cap-${c.need}` });
    expect(a.status).toBe(422);
    expect(errorOf(a)).toMatchObject({
      type: 'no_capable_model',
      request_id: `cap-${c.need}`,
      vendor: null,
    });
    expect(x.hits.length + y.hits.length).toBe(0);
    expect(gateway.lines).toEqual([
      expect.objectContaining({
        event: 'failed',
        rule: 'capability-filter',
        requestId: `cap-${c.need}`,
        vendor: null,
        excluded: { x: c.why, y: c.why },
      }),
    ]);
  });

  it('routes to the one model that covers the request, saying why the other was left out', async () => {
    const textOnly = await startVendor('text', ok());
    const vision = await startVendor('vision', ok('I see a cat'));
    vendors.push(textOnly, vision);
    gateway = await startTestGateway([
      // Cheaper, but it cannot see.
      entry('text', textOnly.baseURL, {
        price: { input: 0.01, output: 0.01 },
        supports: { tools: true, vision: false },
      }),
      entry('vision', vision.baseURL, { price: { input: 10, output: 10 } }),
    ]);
    const body = chat({ messages: [{ role: 'user', content: [imagePart] }] });
    for (const id of ['v1', 'v2', 'v3']) {
      const a = await route(gateway.url, body, { 'x-request-id': id });
      expect(a.headers['x-gateway-vendor']).toBe('vision');
    }
    expect(textOnly.hits).toHaveLength(0);
    expect(linesWith(gateway.lines, 'route', 'v1')).toEqual([
      expect.objectContaining({
        rule: 'weighted-score',
        vendor: 'vision',
        excluded: { text: 'capability: no image input' },
      }),
    ]);
  });
});
