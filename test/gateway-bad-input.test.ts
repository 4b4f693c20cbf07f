/**
 * Input the gateway must refuse without calling a vendor or logging a fault of its own: tool
 * `parameters` that are no JSON Schema (400 up front), and a client that hangs up mid-body
 * (logged as a bad request, never an internal error).
 */
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chat,
  entry,
  errorOf,
  ok,
  route,
  startTestGateway,
  startVendor,
  weatherTool,
  type StubVendor,
  type TestGateway,
} from './support/gateway.js';

let vendor: StubVendor;
let gw: TestGateway;
beforeEach(async () => {
  vendor = await startVendor('a', ok());
  gw = await startTestGateway([entry('a', vendor.baseURL)]);
});
afterEach(async () => {
  await gw.close();
  await vendor.close();
});

describe('tool parameters that are no JSON Schema', () => {
  it('answers 400 naming the tool, and no vendor is called', async () => {
    const tool = {
      type: 'function',
      function: { name: 'get_weather', parameters: { type: 'no' } },
    };
    const a = await route(gw.url, chat({ tools: [tool] }), { 'x-request-id': 'bad-1' });
    expect(a.status).toBe(400);
    expect(errorOf(a)).toMatchObject({ type: 'invalid_request', request_id: 'bad-1' });
    expect(errorOf(a)?.['message']).toMatch(/parameters of get_weather are not a JSON Schema/);
    expect(vendor.hits).toHaveLength(0);
    expect(gw.lines).toEqual([
      expect.objectContaining({ event: 'bad-request', rule: 'input', requestId: 'bad-1' }),
    ]);
  });

  it('still routes a request whose tool schema is valid', async () => {
    const a = await route(gw.url, chat({ tools: [weatherTool] }));
    expect(a.status).toBe(200);
    expect(vendor.hits).toHaveLength(1);
  });
});

describe('a client that leaves mid-body', () => {
  it('is logged as a bad request, and the gateway keeps serving', async () => {
    const url = new URL('/v1/route', gw.url);
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '1000' },
      });
      req.on('error', () => resolve());
      req.write('{"messages": [');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    await expect.poll(() => gw.lines.length).toBeGreaterThan(0);
    expect(gw.lines[0]).toMatchObject({
      event: 'bad-request',
      rule: 'input',
      reason: 'the client left before the body ended',
    });
    expect(gw.lines.some((l) => l.rule === 'internal-error')).toBe(false);
    expect((await route(gw.url, chat())).status).toBe(200);
  });
});
