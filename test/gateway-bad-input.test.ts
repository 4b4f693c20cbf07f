/**
 * Input the gateway must refuse without calling a vendor or logging a fault of its own: tool
 * `parameters` that are no JSON Schema (400 up front), and a client that hangs up mid-body
 * (logged as a bad request, never an internal error).
 */
import { createServer, type Server } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayLogger, LineSink } from '../examples/gateway/log.js';
import type { ModelEntry } from '../examples/gateway/registry.js';
import { startGateway, type Gateway } from '../examples/gateway/server.js';

let vendor: Server | undefined;
let gateway: Gateway | undefined;
let vendorCalls = 0;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  vendor?.closeAllConnections();
  await new Promise((r) => (vendor ? vendor.close(r) : r(null)));
  vendor = undefined;
});

async function start(): Promise<LineSink> {
  vendorCalls = 0;
  vendor = createServer((req, res) => {
    vendorCalls++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [
            { index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' },
          ],
        }),
      );
    });
  });
  await new Promise<void>((r) => vendor?.listen(0, '127.0.0.1', r));
  const entry: ModelEntry = {
    vendor: 'a',
    model: 'm',
    baseURL: `http://127.0.0.1:${(vendor.address() as AddressInfo).port}/v1`,
    contextWindow: 8000,
    supports: { tools: true, vision: false },
    price: { input: 1, output: 1 },
    latencyP50Ms: 100,
    timeoutMs: 2000,
    fallbacks: [],
  };
  const sink = new LineSink();
  gateway = await startGateway({ registry: [entry], log: gatewayLogger(sink) });
  return sink;
}

const route = (body: unknown) =>
  fetch(`${gateway?.url}/v1/route`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'bad-1' },
    body: JSON.stringify(body),
  });

describe('tool parameters that are no JSON Schema', () => {
  it('answers 400 naming the tool, and no vendor is called', async () => {
    const sink = await start();
    const res = await route({
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'not-a-type' } },
        },
      ],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request');
    expect(body.error.message).toMatch(/parameters of get_weather are not a JSON Schema/);
    expect(vendorCalls).toBe(0);
    expect(sink.lines).toEqual([
      expect.objectContaining({ event: 'bad-request', rule: 'input', requestId: 'bad-1' }),
    ]);
  });

  it('still routes a request whose tool schema is valid', async () => {
    await start();
    const res = await route({
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(vendorCalls).toBe(1);
  });
});

describe('a client that leaves mid-body', () => {
  it('is logged as a bad request, and the gateway keeps serving', async () => {
    const sink = await start();
    const url = new URL(`${gateway?.url}/v1/route`);
    await new Promise<void>((resolve) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
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
    await expect.poll(() => sink.lines.length).toBeGreaterThan(0);
    expect(sink.lines[0]).toMatchObject({
      event: 'bad-request',
      rule: 'input',
      reason: 'the client left before the body ended',
    });
    expect(sink.lines.some((l) => l['rule'] === 'internal-error')).toBe(false);
    const res = await route({ messages: [{ role: 'user', content: 'still there?' }] });
    expect(res.status).toBe(200);
  });
});
