/**
 * A vendor that sends its headers and then stalls mid-body: the attempt still ends at the vendor's
 * timeout (the SDK's own timeout stops at the headers), counts as a timeout and falls back.
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

async function listen(s: Server): Promise<string> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1`;
}

const completion = (model: string) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });

function entry(vendor: string, baseURL: string, fallbacks: string[]): ModelEntry {
  return {
    vendor,
    model: `${vendor}-model`,
    baseURL,
    contextWindow: 8000,
    supports: { tools: true, vision: false },
    // `stall` is far cheaper, so the score sends the first request to it.
    price: vendor === 'stall' ? { input: 0.01, output: 0.01 } : { input: 100, output: 100 },
    latencyP50Ms: 100,
    timeoutMs: 400,
    fallbacks,
  };
}

describe('a vendor that stalls after its headers', () => {
  it('times the attempt out at the vendor budget and answers from the fallback', async () => {
    const stall = await listen(
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"chatcmpl-1","choices":[');
      }),
    );
    const healthy = await listen(
      createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(completion('ok-model'));
        });
      }),
    );
    const sink = new LineSink();
    gateway = await startGateway({
      registry: [entry('stall', stall, ['ok']), entry('ok', healthy, [])],
      log: gatewayLogger(sink),
    });
    const res = await fetch(`${gateway.url}/v1/route`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'stalled-1' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }] }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-vendor')).toBe('ok');
    expect(res.headers.get('x-gateway-attempts')).toBe('2');
    const failed = sink.lines.find((l) => l['event'] === 'attempt-failed');
    expect(failed).toMatchObject({
      requestId: 'stalled-1',
      vendor: 'stall',
      kind: 'timeout',
      reason: 'timeout after 400 ms',
    });
    expect(sink.lines.at(-1)).toMatchObject({ event: 'done', vendor: 'ok', attempt: 1 });
  });
});
