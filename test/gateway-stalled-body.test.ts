/**
 * A vendor that sends its headers and then stalls mid-body: the attempt still ends at the vendor's
 * timeout (the SDK's own timeout stops at the headers), counts as a timeout and falls back.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chat,
  entry,
  linesWith,
  ok,
  route,
  startTestGateway,
  startVendor,
  type StubVendor,
  type TestGateway,
} from './support/gateway.js';

const stall = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"id":"chatcmpl-1","choices":[');
});
const open: Array<StubVendor | TestGateway> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  stall.closeAllConnections();
  await new Promise((r) => stall.close(r));
});

describe('a vendor that stalls after its headers', () => {
  it('times the attempt out at the vendor budget and answers from the fallback', async () => {
    await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
    const stalled = `http://127.0.0.1:${(stall.address() as AddressInfo).port}/v1`;
    const healthy = await startVendor('ok', ok());
    const gw = await startTestGateway([
      entry('stall', stalled, { price: { input: 0.01, output: 0.01 }, timeoutMs: 400 }),
      entry('ok', healthy.baseURL, { price: { input: 100, output: 100 } }),
    ]);
    open.push(healthy, gw);
    const a = await route(gw.url, chat(), { 'x-request-id': 'stalled-1' });
    expect(a.status).toBe(200);
    expect(a.headers['x-gateway-vendor']).toBe('ok');
    expect(a.headers['x-gateway-attempts']).toBe('2');
    expect(linesWith(gw.lines, 'attempt-failed', 'stalled-1')).toEqual([
      expect.objectContaining({ vendor: 'stall', kind: 'timeout', reason: 'timeout after 400 ms' }),
    ]);
    expect(gw.lines.at(-1)).toMatchObject({ event: 'done', vendor: 'ok', attempt: 1 });
  });
});
