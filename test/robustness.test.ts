/** Aborts, resets, bad input: the proxy keeps serving and writes what happened, never half a file. */
import http from 'node:http';
import net from 'node:net';
import { mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startMockServer } from '../proxy/mock-server.js';
import { startRecordServer } from '../proxy/record-server.js';
import type { RunningServer } from '../proxy/server-util.js';
import type { Call } from '../shared/schema.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tmp(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'tapedeck-robust-'));
}

/** An upstream that streams `count` SSE events 20 ms apart, then ends or resets the socket. */
async function streamingUpstream(
  count: number,
  end: 'end' | 'reset' | 'forever',
): Promise<{ url: string; closedEarly: Promise<boolean> }> {
  let resolveClosed: (v: boolean) => void = () => undefined;
  const closedEarly = new Promise<boolean>((r) => (resolveClosed = r));
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let i = 0;
    let finished = false;
    if (count === 0 && end === 'end') {
      finished = true;
      res.end();
      return;
    }
    const timer = setInterval(() => {
      if (i < count) {
        res.write(`data: {"i":${i}}\n\n`);
        i++;
        return;
      }
      if (end === 'forever') return;
      clearInterval(timer);
      finished = true;
      if (end === 'reset') res.socket?.resetAndDestroy();
      else res.end();
    }, 20);
    res.on('close', () => {
      clearInterval(timer);
      resolveClosed(!finished);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, closedEarly };
}

async function record(dir: string, upstream: string): Promise<RunningServer> {
  const s = await startRecordServer({
    dir,
    port: 0,
    upstreams: { local: upstream },
    log: () => undefined,
  });
  cleanups.push(() => s.close());
  return s;
}

async function calls(dir: string): Promise<Call[]> {
  const names = (await readdir(path.join(dir, 'calls'))).filter((n) => n.endsWith('.json'));
  return Promise.all(
    names
      .sort()
      .map(async (n) => JSON.parse(await readFile(path.join(dir, 'calls', n), 'utf8')) as Call),
  );
}

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('record under failure', () => {
  it('a client that aborts mid-stream: upstream closed, call saved as aborted with its partial stream, next calls fine', async () => {
    const dir = await tmp();
    const up = await streamingUpstream(1000, 'forever');
    const rec = await record(dir, up.url);
    const ac = new AbortController();
    const res = await request(`${rec.url}/local/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"stream":true}',
      signal: ac.signal,
    });
    let seen = 0;
    await new Promise<void>((resolve) => {
      res.body.on('data', (c: Buffer) => {
        seen += (c.toString().match(/data:/g) ?? []).length;
        if (seen >= 3) {
          ac.abort();
          resolve();
        }
      });
      res.body.on('error', () => resolve());
    });
    const t0 = Date.now();
    expect(await up.closedEarly).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
    const [call] = await waitFor(async () => {
      const c = await calls(dir);
      return c.length === 1 ? c : undefined;
    });
    expect(call?.outcome).toBe('aborted');
    expect(call?.response.stream?.length).toBeGreaterThanOrEqual(3);
    expect(call?.response.stream?.[0]?.data).toBe('{"i":0}');

    const ok = await streamingUpstream(0, 'end');
    const rec2 = await record(dir, ok.url);
    for (let i = 0; i < 100; i++) {
      const r = await request(`${rec2.url}/local/x`, { method: 'POST', body: `{"n":${i}}` });
      expect(r.statusCode).toBe(200);
      await r.body.text();
    }
  });

  it('an upstream reset after N events reaches the client as an error, and the call is saved as upstream_error', async () => {
    const dir = await tmp();
    const up = await streamingUpstream(3, 'reset');
    const rec = await record(dir, up.url);
    const res = await request(`${rec.url}/local/stream`, { method: 'POST', body: '{}' });
    await expect(res.body.text()).rejects.toThrow();
    const [call] = await waitFor(async () => {
      const c = await calls(dir);
      return c.length === 1 ? c : undefined;
    });
    expect(call?.outcome).toBe('upstream_error');
    expect(call?.response.stream?.map((e) => e.data)).toEqual(['{"i":0}', '{"i":1}', '{"i":2}']);

    // Replaying it cuts the connection the same way: never a clean end.
    const mock = await startMockServer({
      dir,
      port: 0,
      timing: { mode: 'instant' },
      watch: false,
      log: () => undefined,
    });
    cleanups.push(() => mock.close());
    const again = await request(`${mock.url}/local/stream`, { method: 'POST', body: '{}' });
    expect(again.statusCode).toBe(200);
    await expect(again.body.text()).rejects.toThrow();
  });

  it('an unreachable upstream gives a 502 in the provider shape and a saved call; the recorder keeps going', async () => {
    const dir = await tmp();
    const rec = await record(dir, 'http://127.0.0.1:1');
    const res = await request(`${rec.url}/local/v1/chat/completions`, {
      method: 'POST',
      body: '{"model":"m"}',
    });
    expect(res.statusCode).toBe(502);
    const body = (await res.body.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/could not be reached/);
    const [call] = await waitFor(async () => {
      const c = await calls(dir);
      return c.length === 1 ? c : undefined;
    });
    expect(call?.outcome).toBe('upstream_error');
    expect(call?.response.status).toBe(502);
    // What was stored is exactly what the client was given.
    expect(call?.response.body).toEqual(body);
  });

  it('an unknown upstream name is a clear 404, not a crash', async () => {
    const dir = await tmp();
    const rec = await record(dir, 'http://127.0.0.1:1');
    const res = await request(`${rec.url}/nosuch/v1/x`);
    expect(res.statusCode).toBe(404);
    const body = (await res.body.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/unknown upstream "nosuch".*--upstream nosuch=URL/);
  });

  it('refuses a 16 KiB + 1 header with 431 and keeps serving', async () => {
    const dir = await tmp();
    const rec = await record(dir, 'http://127.0.0.1:1');
    const { port } = rec;
    const reply = await new Promise<string>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.write(
          `GET /local/x HTTP/1.1\r\nhost: a\r\nx-big: ${'a'.repeat(16 * 1024 + 1)}\r\n\r\n`,
        );
      });
      let data = '';
      sock.on('data', (d) => (data += d.toString()));
      sock.on('close', () => resolve(data));
      sock.on('error', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1.1 431/);
    const ok = await request(`${rec.url}/__tapedeck/health`);
    expect(ok.statusCode).toBe(200);
    await ok.body.text();
  });
});

describe('mock under bad input', () => {
  it('answers bodies that are not JSON, binary bodies and empty bodies with a provider-shaped miss', async () => {
    const dir = await tmp();
    await mkdir(path.join(dir, 'calls'), { recursive: true });
    const mock = await startMockServer({
      dir,
      port: 0,
      timing: { mode: 'instant' },
      watch: false,
      log: () => undefined,
    });
    cleanups.push(() => mock.close());
    for (const body of ['{"model":', Buffer.from([0xff, 0x00, 0xfe]), '']) {
      const r = await request(`${mock.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(r.statusCode).toBe(404);
      const json = (await r.body.json()) as { type: string; error: { type: string } };
      expect(json.type).toBe('error');
      expect(json.error.type).toBe('not_found_error');
    }
    expect(mock.unmatched).toBe(3);
  });

  it('serves the valid calls of a folder with broken files and reports the broken ones', async () => {
    const dir = await tmp();
    await mkdir(path.join(dir, 'calls'), { recursive: true });
    await writeFile(path.join(dir, 'calls', '000001-bad.json'), '{ "id": ');
    const mock = await startMockServer({ dir, port: 0, watch: false, log: () => undefined });
    cleanups.push(() => mock.close());
    expect(mock.loadErrors).toEqual([
      expect.objectContaining({ file: 'calls/000001-bad.json', line: 1 }),
    ]);
    const stats = await request(`${mock.url}/__tapedeck/stats`);
    expect(((await stats.body.json()) as { errors: unknown[] }).errors).toHaveLength(1);
  });

  it('says clearly when the port is in use or the folder is missing', async () => {
    const dir = await tmp();
    const first = await startMockServer({ dir, port: 0, watch: false, log: () => undefined });
    cleanups.push(() => first.close());
    await expect(
      startMockServer({ dir, port: first.port, watch: false, log: () => undefined }),
    ).rejects.toThrow(`port ${first.port} on 127.0.0.1 is already in use`);
    await expect(
      startMockServer({ dir: path.join(dir, 'nope'), port: 0, log: () => undefined }),
    ).rejects.toThrow(/snapshot folder not found/);
  });
});
