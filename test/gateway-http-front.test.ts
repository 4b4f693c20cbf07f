/**
 * examples/gateway/server.ts, the gateway's HTTP front on a real socket: /health and /v1/vendors,
 * 404 and 405, the request id (a given x-request-id is kept, otherwise req-N by arrival), and the
 * bodies refused before routing: 400 invalid_request, 413 over 1 MiB.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  chat,
  entry,
  errorOf,
  linesWith,
  ok,
  request,
  route,
  startTestGateway,
  startVendor,
  type StubVendor,
  type TestGateway,
} from './support/gateway.js';

const MiB = 1 << 20;

let vendor: StubVendor;
let gw: TestGateway;

beforeAll(async () => {
  vendor = await startVendor('v', ok());
});
afterAll(() => vendor.close());

// A fresh gateway for each test: its arrival numbers start at 1 and its log is its own.
beforeEach(async () => {
  vendor.hits.length = 0;
  gw = await startTestGateway([entry('v', vendor.baseURL)]);
});
afterEach(() => gw.close());

describe('read-only routes', () => {
  it('GET /health answers 200 { ok: true }', async () => {
    const a = await request(gw.url, { path: '/health' });
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('application/json');
    expect(a.json).toEqual({ ok: true });
  });

  it("GET /v1/vendors shows each vendor's breakers, latency and in-flight count", async () => {
    const before = await request(gw.url, { path: '/v1/vendors' });
    expect(before.status).toBe(200);
    expect(before.json).toEqual({
      vendors: [
        {
          vendor: 'v',
          model: 'v-model',
          availability: 'closed',
          tools: 'closed',
          latencyMs: null,
          inFlight: 0,
        },
      ],
    });
    expect((await route(gw.url, chat())).status).toBe(200);
    const after = await request(gw.url, { path: '/v1/vendors' });
    expect(after.json).toMatchObject({
      vendors: [{ vendor: 'v', latencyMs: expect.any(Number) as unknown, inFlight: 0 }],
    });
  });

  it.each(['/', '/nope', '/v1/route/extra', '/v1/chat/completions'])(
    'answers 404 not_found for %s',
    async (path) => {
      const a = await request(gw.url, { method: 'POST', path, body: JSON.stringify(chat()) });
      expect(a.status).toBe(404);
      expect(a.json).toEqual({ error: { type: 'not_found', message: path } });
      expect(vendor.hits).toHaveLength(0);
    },
  );

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])(
    'answers %s /v1/route with 405 and allow: POST',
    async (method) => {
      const a = await request(gw.url, { method, path: '/v1/route' });
      expect(a.status).toBe(405);
      expect(a.headers['allow']).toBe('POST');
      expect(errorOf(a)).toMatchObject({ type: 'method_not_allowed' });
      expect(vendor.hits).toHaveLength(0);
    },
  );
});

describe('a request target URL cannot read', () => {
  it('answers 400 on that socket, and the gateway keeps serving', async () => {
    const head = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(new URL(gw.url).port), '127.0.0.1', () =>
        s.write('GET //x:99999/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      );
      let data = '';
      s.on('data', (c: Buffer) => (data += c.toString()));
      s.on('close', () => resolve(data));
      s.on('error', reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toContain('unreadable request target');
    expect((await route(gw.url, chat())).status).toBe(200);
  });
});

describe('request ids', () => {
  it('keeps a given x-request-id: in the answer, at the vendor and on every log line', async () => {
    const a = await route(gw.url, chat(), { 'x-request-id': 'client-42' });
    expect(a.status).toBe(200);
    expect(a.headers['x-request-id']).toBe('client-42');
    expect(a.headers['x-gateway-vendor']).toBe('v');
    expect(a.headers['x-gateway-attempts']).toBe('1');
    expect(vendor.hits[0]?.headers['x-request-id']).toBe('client-42');
    expect(gw.lines.length).toBeGreaterThan(0);
    expect(gw.lines.every((l) => l.requestId === 'client-42' && l.seq === 1)).toBe(true);
  });

  it('numbers the requests req-N in arrival order when none is given', async () => {
    // Other routes do not take a number.
    await request(gw.url, { path: '/health' });
    await request(gw.url, { path: '/v1/route' });
    const ids: unknown[] = [];
    for (let i = 0; i < 3; i++) ids.push((await route(gw.url, chat())).headers['x-request-id']);
    expect(ids).toEqual(['req-1', 'req-2', 'req-3']);
    expect(vendor.hits.map((h) => h.headers['x-request-id'])).toEqual(['req-1', 'req-2', 'req-3']);
    expect([...new Set(gw.lines.map((l) => `${l.seq} ${l.requestId}`))]).toEqual([
      '1 req-1',
      '2 req-2',
      '3 req-3',
    ]);
  });

  it('counts a given id, and a refused body, in the arrival number', async () => {
    await route(gw.url, chat(), { 'x-request-id': 'mine' });
    await route(gw.url, 'not json');
    const third = await route(gw.url, chat());
    expect(third.headers['x-request-id']).toBe('req-3');
  });

  it.each([
    ['with a space', 'a b'],
    ['of 129 characters', 'x'.repeat(129)],
    ['with a non-ASCII byte', 'caf\u00e9'],
  ])('replaces an x-request-id %s by req-N', async (_what, given) => {
    const a = await route(gw.url, chat(), { 'x-request-id': given });
    expect(a.headers['x-request-id']).toBe('req-1');
    expect(vendor.hits[0]?.headers['x-request-id']).toBe('req-1');
  });

  it('keeps an x-request-id of 128 printable characters', async () => {
    const given = '!~'.repeat(64);
    const a = await route(gw.url, chat(), { 'x-request-id': given });
    expect(a.headers['x-request-id']).toBe(given);
  });
});

describe('bodies refused before routing', () => {
  it.each([
    ['not JSON', '{"messages": [', /^body is not JSON$/],
    ['JSON but no messages', '{"prompt":"hi"}', /^messages: /],
    ['an empty messages list', '{"messages":[]}', /^messages: /],
    ['a message without a role', '{"messages":[{"content":"hi"}]}', /^messages\.0\.role: /],
    ['a stream request', JSON.stringify(chat({ stream: true })), /^stream: /],
    [
      'a tool without a name',
      JSON.stringify(chat({ tools: [{ type: 'function', function: { name: '' } }] })),
      /^tools\.0\.function\.name: /,
    ],
    ['a max_tokens of 0', JSON.stringify(chat({ max_tokens: 0 })), /^max_tokens: /],
  ])('answers 400 invalid_request to %s', async (_what, body, message) => {
    const a = await route(gw.url, body, { 'x-request-id': 'bad-1' });
    expect(a.status).toBe(400);
    const e = errorOf(a);
    expect(e).toMatchObject({ type: 'invalid_request', request_id: 'bad-1', vendor: null });
    expect(a.headers['x-request-id']).toBe('bad-1');
    expect(e?.['message']).toMatch(message);
    expect(vendor.hits).toHaveLength(0);
    expect(gw.lines).toEqual([
      expect.objectContaining({
        event: 'bad-request',
        rule: 'input',
        requestId: 'bad-1',
        seq: 1,
        vendor: null,
      }),
    ]);
    // The gateway still serves.
    expect((await route(gw.url, chat())).status).toBe(200);
  });

  it('answers 413 to a body over 1 MiB, without calling a vendor', async () => {
    const body = Buffer.alloc(2 * MiB, 'x');
    const a = await route(gw.url, body.toString('latin1'), { 'x-request-id': 'big' });
    expect(a.status).toBe(413);
    expect(errorOf(a)).toEqual({
      type: 'invalid_request',
      message: `body over ${MiB} bytes`,
      request_id: 'big',
      vendor: null,
    });
    expect(a.headers['x-request-id']).toBe('big');
    expect(vendor.hits).toHaveLength(0);
    expect(linesWith(gw.lines, 'bad-request', 'big')).toEqual([
      expect.objectContaining({ rule: 'input', reason: `body over ${MiB} bytes` }),
    ]);
    expect((await route(gw.url, chat())).status).toBe(200);
  });

  it('takes a body of exactly 1 MiB, and refuses one byte more', async () => {
    const head = '{"messages":[{"role":"user","content":"hi"}],"pad":"';
    const tail = '"}';
    const padOf = (extra: number) => MiB + extra - head.length - tail.length;
    const exactly = (extra: number) => head + 'x'.repeat(padOf(extra)) + tail;
    expect(Buffer.byteLength(exactly(0))).toBe(MiB);
    const fits = await route(gw.url, exactly(0));
    expect(fits.status).toBe(200);
    expect(vendor.hits[0]?.body['pad']).toHaveLength(padOf(0));
    const over = await route(gw.url, exactly(1));
    expect(over.status).toBe(413);
    expect(vendor.hits).toHaveLength(1);
  });
});
