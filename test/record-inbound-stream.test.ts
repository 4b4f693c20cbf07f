/**
 * An app's SSE reply through an `--inbound` front: it reaches the client byte for byte while it
 * streams, it is stored as `response.stream` events, and a client that leaves mid-stream neither
 * crashes the front nor leaves a file that claims a complete reply.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBuilt, startCli, type RunningCli } from './support/cli.js';
import { frontUrl, readInbound, startApp, waitFor, type App } from './support/inbound.js';
import { parseSse } from './support/sse.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const EVENTS = ['{"delta":"Hel"}', '{"delta":"lo"}', '[DONE]'];
const SSE_TEXT = EVENTS.map((d, i) => `event: token\nid: ${i + 1}\ndata: ${d}\n\n`).join('');

interface Running {
  dir: string;
  app: App;
  cli: RunningCli;
  front: string;
  /** Resolves when the app's response to the `/hang` stream closes (the client left). */
  hangClosed: Promise<void>;
}

/**
 * An app with two streams: `/stream` sends every event, each once the previous one was written;
 * `/hang` sends the first event and then waits for the client to leave.
 */
async function start(): Promise<Running> {
  assertBuilt();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-inbound-sse-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  let closed: () => void = () => undefined;
  const hangClosed = new Promise<void>((r) => (closed = r));
  const head = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
  };
  const app = await startApp((req, res) => {
    req.resume();
    if (req.url === '/hang') {
      head(res);
      res.write(`event: token\nid: 1\ndata: ${EVENTS[0]}\n\n`);
      res.on('close', () => closed());
      return;
    }
    head(res);
    const parts = SSE_TEXT.split(/(?<=\n\n)/);
    const next = (i: number) => {
      if (i === parts.length) return res.end();
      res.write(parts[i], () => setImmediate(() => next(i + 1)));
    };
    next(0);
  });
  cleanups.push(() => app.close());
  const cli = await startCli(['record', dir, '--port', '0', '--inbound', `0=${app.url}`]);
  cleanups.push(() => cli.stop());
  return { dir, app, cli, front: await frontUrl(cli, app.url), hangClosed };
}

describe('an SSE reply through an inbound front', () => {
  it('reaches the client unchanged and is stored as stream events', async () => {
    const { dir, cli, front } = await start();
    const r = await fetch(`${front}/stream`, { headers: { accept: 'text/event-stream' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    expect(await r.text()).toBe(SSE_TEXT);
    expect((await cli.stop()).code, cli.stderr()).toBe(0);

    const [ex, ...rest] = await readInbound(dir);
    expect(rest).toEqual([]);
    expect(ex?.file).toBe('000001-GET-stream.json');
    expect(ex?.outcome).toBe('complete');
    expect(ex?.response.body).toBeUndefined();
    expect(ex?.response.stream?.map((e) => ({ event: e.event, id: e.id, data: e.data }))).toEqual(
      parseSse(SSE_TEXT),
    );
  });

  it('survives a client that leaves mid-stream, and records the exchange as aborted', async () => {
    const { dir, cli, front, hangClosed } = await start();
    const abort = new AbortController();
    const r = await fetch(`${front}/hang`, { signal: abort.signal });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain(EVENTS[0]);
    abort.abort();
    // The front passes the client's leaving on to the app.
    await hangClosed;

    const [ex] = await waitFor('the aborted exchange', async () => {
      const files = await readInbound(dir);
      return files.length > 0 ? files : undefined;
    });
    expect(ex?.outcome).toBe('aborted');
    expect(ex?.response.stream?.map((e) => e.data)).toEqual([EVENTS[0]]);

    // Still serving: the next client gets a whole stream.
    const again = await fetch(`${front}/stream`);
    expect(await again.text()).toBe(SSE_TEXT);
    const exit = await cli.stop();
    expect(exit.code, cli.stderr()).toBe(0);
    expect((await readInbound(dir)).map((e) => e.outcome)).toEqual(['aborted', 'complete']);
  });
});
