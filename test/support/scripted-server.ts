/**
 * A real socket that answers every request with a family adapter's scripted reply, written by the
 * mock's own replay (`prepare` + `send`), so an official SDK pointed at it sees the bytes the mock
 * would send. Replies go in order and the last repeats, as `createMockFetch({ responses })` does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { prepare, scheduleOf, send } from '../../proxy/replay.js';
import type { ApiFamily } from '../../shared/adapters/adapter.js';
import { adapterOf } from '../../shared/adapters/registry.js';
import { RecordedResponse, type Call } from '../../shared/schema.js';
import type { ScriptedRequest, ScriptedResponse } from '../../shared/scripted-reply.js';

export interface ScriptedExchange {
  request: ScriptedRequest;
  response: RecordedResponse;
}

export interface ScriptedServer {
  url: string;
  exchanges: ScriptedExchange[];
  close(): Promise<void>;
}

/** The minimal call `prepare` replays: the reply, no recorded timing. */
function callOf(response: RecordedResponse): Call {
  return {
    id: 'scripted',
    seq: 0,
    recordedAt: '1970-01-01T00:00:00.000Z',
    upstream: 'scripted',
    provider: 'scripted',
    api: 'scripted',
    model: null,
    request: { method: 'POST', url: '/', headers: {} },
    response,
    outcome: 'complete',
    timing: { ttfbMs: 0, totalMs: 0 },
    usage: null,
    costUsd: null,
    costSource: 'none',
    signature: {},
  };
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function startScriptedServer(
  family: ApiFamily,
  replies: readonly ScriptedResponse[],
): Promise<ScriptedServer> {
  const scripted = adapterOf(family).scripted;
  if (!scripted) throw new Error(`${family} has no scripted replies`);
  const exchanges: ScriptedExchange[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const t0 = performance.now();
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const n = Math.min(exchanges.length, replies.length - 1);
      const request: ScriptedRequest = {
        path: url.pathname,
        search: url.search,
        body: parsed(Buffer.concat(chunks).toString('utf8')),
        n,
      };
      let response: RecordedResponse;
      try {
        // Parsed by the snapshot schema: what the adapter renders must be a storable reply.
        response = RecordedResponse.parse(scripted(replies[n] ?? {}, request));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain', 'x-should-retry': 'false' });
        res.end(String(err));
        return;
      }
      exchanges.push({ request, response });
      const p = prepare(callOf(response));
      void send(p, res, scheduleOf(p, { mode: 'instant' }), t0, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
