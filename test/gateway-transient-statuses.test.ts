/**
 * Which vendor statuses the router retries on the next vendor: 408, 409, 429 and 5xx (as the
 * SDKs do), and not another 4xx, which is the vendor rejecting the request itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  chat,
  entry,
  ok,
  route,
  startTestGateway,
  startVendor,
  type StubVendor,
  type TestGateway,
} from './support/gateway.js';

const open: Array<StubVendor | TestGateway> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function firstAnswering(status: number) {
  const first = await startVendor('first', () => ({
    status,
    json: { error: { message: `status ${status}`, type: 'x' } },
  }));
  const healthy = await startVendor('ok', ok());
  // `first` is far cheaper, so the score sends the request to it first.
  const gw = await startTestGateway([
    entry('first', first.baseURL, { price: { input: 0.01, output: 0.01 } }),
    entry('ok', healthy.baseURL, { price: { input: 100, output: 100 } }),
  ]);
  open.push(first, healthy, gw);
  const a = await route(gw.url, chat());
  return { a, events: gw.lines.map((l) => `${l.event} ${String(l.vendor)}`) };
}

describe('statuses the router retries', () => {
  it.each([408, 409, 429, 500, 503])('%i: tries the next vendor', async (status) => {
    const { a, events } = await firstAnswering(status);
    expect(a.status).toBe(200);
    expect(a.headers['x-gateway-vendor']).toBe('ok');
    expect(events).toEqual([
      'route first',
      'attempt first',
      'attempt-failed first',
      'retry ok',
      'done ok',
    ]);
  });

  it.each([400, 401, 404, 422])('%i: answers it, not retried', async (status) => {
    const { a, events } = await firstAnswering(status);
    expect(a.status).toBe(status);
    expect(a.headers['x-gateway-attempts']).toBe('1');
    expect(events).toEqual(['route first', 'attempt first', 'failed first']);
  });
});
