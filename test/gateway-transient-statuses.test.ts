/**
 * Which vendor statuses the router retries on the next vendor: 408, 409, 429 and 5xx (as the
 * SDKs do), and not another 4xx, which is the vendor rejecting the request itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayLogger, LineSink } from '../examples/gateway/log.js';
import type { ModelEntry } from '../examples/gateway/registry.js';
import { startGateway, type Gateway } from '../examples/gateway/server.js';

const servers: Server[] = [];
let gateway: Gateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function vendor(status: number): Promise<string> {
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        status === 200
          ? JSON.stringify({
              id: 'x',
              object: 'chat.completion',
              created: 1,
              model: 'm',
              choices: [
                { index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' },
              ],
            })
          : JSON.stringify({ error: { message: `status ${status}`, type: 'x' } }),
      );
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1`;
}

function entry(name: string, baseURL: string, cheap: boolean): ModelEntry {
  return {
    vendor: name,
    model: `${name}-model`,
    baseURL,
    contextWindow: 8000,
    supports: { tools: true, vision: false },
    price: cheap ? { input: 0.01, output: 0.01 } : { input: 100, output: 100 },
    latencyP50Ms: 100,
    timeoutMs: 2000,
    fallbacks: [],
  };
}

async function firstStatus(status: number) {
  const sink = new LineSink();
  gateway = await startGateway({
    registry: [entry('first', await vendor(status), true), entry('ok', await vendor(200), false)],
    log: gatewayLogger(sink),
  });
  const res = await fetch(`${gateway.url}/v1/route`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { res, events: sink.lines.map((l) => `${String(l['event'])} ${String(l['vendor'])}`) };
}

describe('statuses the router retries', () => {
  it.each([408, 409, 429, 500, 503])('%i: tries the next vendor', async (status) => {
    const { res, events } = await firstStatus(status);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-vendor')).toBe('ok');
    expect(events).toEqual([
      'route first',
      'attempt first',
      'attempt-failed first',
      'retry ok',
      'done ok',
    ]);
  });

  it.each([400, 401, 404, 422])('%i: answers it, not retried', async (status) => {
    const { res, events } = await firstStatus(status);
    expect(res.status).toBe(status);
    expect(res.headers.get('x-gateway-attempts')).toBe('1');
    expect(events).toEqual(['route first', 'attempt first', 'failed first']);
  });
});
