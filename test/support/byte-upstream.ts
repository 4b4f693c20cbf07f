/**
 * An upstream that answers each path with hand-made bytes (status, content type, body, or SSE
 * chunks written one by one), and the record → mock round trip the byte-exact tests run them
 * through: what the mock sends back is compared with these bytes, byte for byte.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { request } from 'undici';
import { startMockServer, type RunningMock } from '../../proxy/mock-server.js';
import { startRecordServer } from '../../proxy/record-server.js';

export interface HandReply {
  status?: number;
  contentType: string;
  /** A plain body, or the chunks of a stream (each one write). */
  body: Buffer | string | string[];
  /** The request body the client sends (default `{"q":1}`). */
  request?: string;
}

export async function startByteUpstream(
  replies: Record<string, HandReply>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = replies[req.url ?? ''];
      if (!reply) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType });
      if (!Array.isArray(reply.body)) return res.end(reply.body);
      res.flushHeaders();
      void (async () => {
        for (const chunk of reply.body as string[]) {
          res.write(chunk);
          await nextTurn();
        }
        res.end();
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Answer {
  status: number;
  contentType: string | undefined;
  bytes: Buffer;
}

export async function post(base: string, route: string, body = '{"q":1}'): Promise<Answer> {
  const res = await request(`${base}/up${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const ct = res.headers['content-type'];
  return {
    status: res.statusCode,
    contentType: typeof ct === 'string' ? ct : undefined,
    bytes: Buffer.from(await res.body.arrayBuffer()),
  };
}

export function bytesOf(reply: HandReply): Buffer {
  if (Array.isArray(reply.body)) return Buffer.from(reply.body.join(''), 'utf8');
  return Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body, 'utf8');
}

const quiet = (): void => undefined;

/** Records one POST per route into a new snapshot folder; returns the folder. */
export async function recordAll(
  replies: Record<string, HandReply>,
  dir?: string,
): Promise<{ dir: string; upstreamUrl: string; close(): Promise<void> }> {
  const upstream = await startByteUpstream(replies);
  const folder = dir ?? (await mkdtemp(path.join(tmpdir(), 'tapedeck-bytes-')));
  const recorder = await startRecordServer({
    dir: folder,
    port: 0,
    upstreams: { up: upstream.url },
    log: quiet,
  });
  try {
    for (const [route, reply] of Object.entries(replies))
      await post(recorder.url, route, reply.request);
  } finally {
    await recorder.close();
  }
  return { dir: folder, upstreamUrl: upstream.url, close: () => upstream.close() };
}

export function startMock(dir: string, upstreamUrl: string): Promise<RunningMock> {
  return startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    upstreams: { up: upstreamUrl },
    log: quiet,
  });
}
