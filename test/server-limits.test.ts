/**
 * Bounds of `record` and `mock` (issue #8): an oversized body gets a 413 in the provider's shape
 * without being read to its end, a body that trickles or never ends is closed by the body timeout
 * (a long reply is not), JSON nested too deep is refused, and no request ends in a 200 that leaves
 * no call file without saying so. Real servers over real sockets.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../shared/limits.js';
import { startMockServer, type MockOptions, type RunningMock } from '../proxy/mock-server.js';
import { startRecordServer, type RunningRecorder } from '../proxy/record-server.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tmp(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-limits-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function upstream(): Promise<FakeUpstream> {
  const u = await startFakeUpstream({ eventDelayMs: 0 });
  cleanups.push(() => u.close());
  return u;
}

async function recorder(
  dir: string,
  upstreamUrl: string,
  extra: { maxBodyBytes?: number; bodyTimeoutMs?: number } = {},
): Promise<{ rec: RunningRecorder; lines: string[] }> {
  const lines: string[] = [];
  const rec = await startRecordServer({
    dir,
    port: 0,
    upstreams: { openai: upstreamUrl, anthropic: upstreamUrl, gemini: upstreamUrl },
    log: (l) => lines.push(l),
    ...extra,
  });
  cleanups.push(() => rec.close());
  return { rec, lines };
}

async function mock(
  dir: string,
  extra: Partial<MockOptions> = {},
): Promise<{ mock: RunningMock; lines: string[] }> {
  const lines: string[] = [];
  const m = await startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    watch: false,
    log: (l) => lines.push(l),
    ...extra,
  });
  cleanups.push(() => m.close());
  return { mock: m, lines };
}

async function callFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(path.join(dir, 'calls'))).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
}

/** A JSON body `levels` arrays deep. */
function deepJson(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

const chatBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hello' }],
});

/** A chunked body (no content-length) of `bytes` bytes that ends only if `end` is true. */
function chunkedBody(bytes: number, end: boolean): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        if (end) this.push(null);
        return;
      }
      const n = Math.min(64 * 1024, bytes - sent);
      sent += n;
      this.push(Buffer.alloc(n, 'a'));
    },
  });
}

/**
 * Sends headers, then one body byte every `everyMs`, until the server closes the connection;
 * resolves with what the server wrote back. `chunked`: a chunked body that never ends.
 */
function trickle(port: number, urlPath: string, chunked: boolean, everyMs = 50): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    let timer: NodeJS.Timeout | undefined;
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(
        `POST ${urlPath} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
          (chunked ? 'transfer-encoding: chunked\r\n\r\n' : 'content-length: 100000\r\n\r\n'),
      );
      timer = setInterval(() => {
        if (!sock.writable) return;
        sock.write(chunked ? '1\r\n \r\n' : ' ');
      }, everyMs);
    });
    sock.on('data', (d) => (data += d.toString()));
    const done = () => {
      clearInterval(timer);
      resolve(data);
    };
    sock.on('close', done);
    sock.on('error', () => sock.destroy());
  });
}

describe('record: limits', () => {
  it('answers an over-limit body with a 413 in the provider shape, forwards and writes nothing, keeps serving', async () => {
    const dir = await tmp();
    const up = await upstream();
    const { rec, lines } = await recorder(dir, up.url, { maxBodyBytes: 64 * 1024 });

    // Declared too large: refused from the content-length alone.
    const declared = await request(`${rec.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(1024 * 1024, 'a'),
    });
    expect(declared.statusCode).toBe(413);
    expect(declared.headers['connection']).toBe('close');
    const openai = (await declared.body.json()) as { error: { type: string; code: string } };
    expect(openai.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'request_too_large',
    });

    // Chunked and endless: the 413 comes at the limit, without waiting for an end that never comes.
    const endless = await request(`${rec.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunkedBody(Number.POSITIVE_INFINITY, false),
    });
    expect(endless.statusCode).toBe(413);
    expect(await endless.body.json()).toMatchObject({
      type: 'error',
      error: { type: 'request_too_large' },
    });

    expect(up.requests).toHaveLength(0);
    expect(await callFiles(dir)).toEqual([]);
    expect(rec.notRecorded.map((n) => n.status)).toEqual([413, 413]);
    expect(lines.filter((l) => /NOT RECORDED: body over --max-body/.test(l))).toHaveLength(2);

    const ok = await request(`${rec.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody,
    });
    expect(ok.statusCode).toBe(200);
    await ok.body.text();
    await rec.close();
    expect(await callFiles(dir)).toHaveLength(1);
  });

  it('refuses JSON nested deeper than the limit before forwarding it: no 200, no file', async () => {
    const dir = await tmp();
    const up = await upstream();
    const { rec } = await recorder(dir, up.url);
    const r = await request(`${rec.url}/gemini/v1beta/models/gemini-2.0-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"contents":${deepJson(20_000)}}`,
    });
    expect(r.statusCode).toBe(400);
    const body = (await r.body.json()) as { error: { status: string; message: string } };
    expect(body.error.status).toBe('INVALID_ARGUMENT');
    expect(body.error.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    expect(up.requests).toHaveLength(0);
    await rec.close();
    expect(await callFiles(dir)).toEqual([]);
    expect(rec.notRecorded).toHaveLength(1);
  });

  it('stores a reply nested too deep as text, so its call is still written', async () => {
    const dir = await tmp();
    const deep = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(deepJson(20_000));
    });
    await new Promise<void>((r) => deep.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => deep.close(() => r())));
    const { rec } = await recorder(
      dir,
      `http://127.0.0.1:${(deep.address() as net.AddressInfo).port}`,
    );
    const r = await request(`${rec.url}/openai/v1/chat/completions`, {
      method: 'POST',
      body: chatBody,
    });
    expect(r.statusCode).toBe(200);
    await r.body.text();
    await rec.close();
    expect(rec.notRecorded).toEqual([]);
    expect(await callFiles(dir)).toHaveLength(1);
  });

  it('a call file that cannot be written after the reply went out is reported and counted', async () => {
    const dir = await tmp();
    const up = await upstream();
    const { rec, lines } = await recorder(dir, up.url);
    // The calls/ folder replaced by a file: every write fails (as on a removed or full disk).
    await rm(path.join(dir, 'calls'), { recursive: true });
    await writeFile(path.join(dir, 'calls'), 'not a folder');
    const r = await request(`${rec.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody,
    });
    expect(r.statusCode).toBe(200);
    await r.body.text();
    await rec.close();
    expect(rec.notRecorded).toEqual([
      expect.objectContaining({
        upstream: 'openai',
        status: 200,
        reason: expect.stringMatching(/call #1 could not be stored/) as unknown,
      }),
    ]);
    expect(lines.some((l) => /→ 200 NOT RECORDED: call #1 could not be stored/.test(l))).toBe(true);
  });

  it('closes a body that trickles or never ends after --body-timeout, keeps serving, and forwards nothing', async () => {
    const dir = await tmp();
    const up = await upstream();
    const { rec } = await recorder(dir, up.url, { bodyTimeoutMs: 300 });
    const t0 = Date.now();
    expect(await trickle(rec.port, '/openai/v1/chat/completions', false)).toMatch(/^HTTP\/1.1 408/);
    expect(await trickle(rec.port, '/openai/v1/chat/completions', true)).toMatch(/^HTTP\/1.1 408/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(up.requests).toHaveLength(0);
    // The client sees the close first; the server's bookkeeping follows on its own turn.
    await expect
      .poll(() => rec.notRecorded.map((n) => n.reason))
      .toEqual([
        expect.stringContaining('--body-timeout (300 ms)'),
        expect.stringContaining('--body-timeout (300 ms)'),
      ]);
    const ok = await request(`${rec.url}/openai/v1/chat/completions`, {
      method: 'POST',
      body: chatBody,
    });
    expect(ok.statusCode).toBe(200);
    await ok.body.text();
  });

  it('never cuts a reply that streams for longer than --body-timeout', async () => {
    const dir = await tmp();
    // 20 events 50 ms apart: the reply lasts about three times the body timeout.
    const slow = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const t = setInterval(() => {
        res.write(`data: {"i":${i}}\n\n`);
        if (++i === 20) {
          clearInterval(t);
          res.end();
        }
      }, 50);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => slow.close(() => r())));
    const { rec } = await recorder(
      dir,
      `http://127.0.0.1:${(slow.address() as net.AddressInfo).port}`,
      { bodyTimeoutMs: 300 },
    );
    const r = await request(`${rec.url}/openai/v1/chat/completions`, {
      method: 'POST',
      body: '{"stream":true}',
    });
    const text = await r.body.text();
    expect(text.match(/^data:/gm)).toHaveLength(20);
    await rec.close();
    const [file] = await callFiles(dir);
    expect(file).toBeDefined();
  });
});

/** A snapshot with one recorded OpenAI chat call, made through the recorder. */
async function recordedSnapshot(): Promise<{ dir: string; up: FakeUpstream }> {
  const dir = await tmp();
  const up = await upstream();
  const { rec } = await recorder(dir, up.url);
  const r = await request(`${rec.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: chatBody,
  });
  await r.body.text();
  await rec.close();
  return { dir, up };
}

describe('mock: limits', () => {
  it('answers an over-limit body with a 413 in the provider shape, counts it unmatched, keeps serving', async () => {
    const { dir } = await recordedSnapshot();
    const { mock: m, lines } = await mock(dir, { maxBodyBytes: 64 * 1024 });
    const gemini = await request(`${m.url}/gemini/v1beta/models/gemini-2.0-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunkedBody(Number.POSITIVE_INFINITY, false),
    });
    expect(gemini.statusCode).toBe(413);
    expect(await gemini.body.json()).toMatchObject({
      error: { code: 413, status: 'INVALID_ARGUMENT' },
    });
    const openai = await request(`${m.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(1024 * 1024, 'a'),
    });
    expect(openai.statusCode).toBe(413);
    expect(await openai.body.json()).toMatchObject({ error: { code: 'request_too_large' } });
    expect(m.unmatched).toBe(2);
    expect(m.misses.map((x) => x.reason)).toEqual([
      'body over --max-body (65536 bytes)',
      'body over --max-body (65536 bytes)',
    ]);
    expect(lines.filter((l) => /→ 413 REFUSED/.test(l))).toHaveLength(2);

    const hit = await request(`${m.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody,
    });
    expect(hit.statusCode).toBe(200);
    await hit.body.text();
  });

  it('refuses JSON nested deeper than the limit with a provider-shaped 400, not a crash or a 200', async () => {
    const { dir } = await recordedSnapshot();
    const { mock: m } = await mock(dir);
    const r = await request(`${m.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"model":"claude","messages":${deepJson(20_000)}}`,
    });
    expect(r.statusCode).toBe(400);
    expect(await r.body.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    expect(m.unmatched).toBe(1);
    expect(m.misses[0]?.reason).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('closes a body that never ends after --body-timeout and counts it', async () => {
    const { dir } = await recordedSnapshot();
    const { mock: m } = await mock(dir, { bodyTimeoutMs: 300 });
    expect(await trickle(m.port, '/openai/v1/chat/completions', true)).toMatch(/^HTTP\/1.1 408/);
    await expect.poll(() => m.unmatched).toBe(1);
    expect(m.misses[0]?.reason).toContain('--body-timeout (300 ms)');
  });
});

describe('mock --passthrough', () => {
  it('logs a forwarded request as PASSTHROUGH and does not count it unmatched; a failed one counts', async () => {
    const dir = await tmp();
    await mkdir(path.join(dir, 'calls'), { recursive: true });
    const up = await upstream();
    const { mock: m, lines } = await mock(dir, {
      passthrough: true,
      upstreams: { openai: up.url, down: 'http://127.0.0.1:1' },
    });
    const ok = await request(`${m.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody,
    });
    expect(ok.statusCode).toBe(200);
    await ok.body.text();
    // The reply is out before the bookkeeping: wait for its log line.
    await expect
      .poll(() =>
        lines.some((l) => /openai POST \/v1\/chat\/completions → 200 PASSTHROUGH /.test(l)),
      )
      .toBe(true);
    expect(lines.some((l) => /MISS/.test(l))).toBe(false);
    expect(m.unmatched).toBe(0);
    const stats = await request(`${m.url}/__tapedeck/stats`);
    expect(await stats.body.json()).toMatchObject({
      upstreams: { openai: { requests: 1, matched: 0, unmatched: 0, passthrough: 1 } },
    });

    const down = await request(`${m.url}/down/v1/chat/completions`, {
      method: 'POST',
      body: chatBody,
    });
    expect(down.statusCode).toBe(502);
    await down.body.text();
    await expect.poll(() => m.unmatched).toBe(1);
    expect(m.misses[0]?.reason).toBe('passthrough failed');
    expect(lines.some((l) => /→ 502 PASSTHROUGH FAILED/.test(l))).toBe(true);
  });
});
