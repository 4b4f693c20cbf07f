/**
 * The browser-mode transport (S2): the start URL's token becomes an HttpOnly SameSite=Strict
 * cookie; every HTTP request and WebSocket upgrade needs that cookie, a Host naming this server and
 * no foreign Origin. Then the API itself over real sockets: results, error statuses, static files.
 */
import http from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startUiServer, type UiServer } from '../proxy/ui-server.js';
import type { ChangeEvent } from '../shared/desktop-api.js';
import { hostFixture, sampleDir, type HostFixture } from './support/host-fixture.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => unknown;
}

function send(
  server: UiServer,
  method: string,
  target: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path: target,
        headers: { host: `127.0.0.1:${server.port}`, ...opts.headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as unknown,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

let fx: HostFixture;
let server: UiServer;
let rendererDir: string;
let cookie: string;

async function login(s: UiServer): Promise<string> {
  const res = await send(s, 'GET', `/?token=${s.token}`);
  expect(res.status).toBe(302);
  const setCookie = res.headers['set-cookie']?.[0] ?? '';
  return setCookie.split(';')[0]!;
}

beforeEach(async () => {
  fx = await hostFixture();
  rendererDir = path.join(fx.base, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><title>Tapedeck</title><script type="module" src="/assets/app.js"></script>',
  );
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  await writeFile(path.join(rendererDir, 'assets', 'app.css'), 'body{}');
  await writeFile(path.join(fx.base, 'secret.txt'), 'SECRET-OUTSIDE-RENDERER');
  server = await startUiServer({
    folder: fx.snap,
    configDir: fx.configDir,
    browseStart: fx.base,
    rendererDir,
    sampleSource: sampleDir,
    watchDebounceMs: 20,
    log: () => undefined,
  });
  cookie = await login(server);
});

afterEach(async () => {
  await server.close();
  await fx.cleanup();
});

const api = (method: string, args: unknown[], headers: Record<string, string> = {}) =>
  send(server, 'POST', `/api/${method}`, {
    headers: { cookie, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(args),
  });

describe('S2: the start URL, the cookie, Host and Origin over HTTP', () => {
  it('prints a start URL on 127.0.0.1 with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const res = await send(server, 'GET', `/calls?x=1&token=${server.token}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/calls?x=1');
    const setCookie = res.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/^tapedeck_session_\d+=[^;]+; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(setCookie).toContain(server.token);
  });

  it('no token, no cookie → 401; a wrong token → 401 and no cookie', async () => {
    expect((await send(server, 'GET', '/')).status).toBe(401);
    const wrong = await send(server, 'GET', '/?token=not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const res = await send(server, 'POST', '/api/appInfo', { body: '[]' });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await api('appInfo', [], { cookie: 'tapedeck_session=guess' })).status).toBe(401);
  });

  it('a good cookie → 200 for the page and the API', async () => {
    const page = await send(server, 'GET', '/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const res = await api('appInfo', []);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toMatchObject({ result: { mode: 'browser', initialFolder: fx.snap } });
  });

  it('a foreign Host → 403, even with the cookie or the token (DNS rebinding)', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      `127.0.0.2:${server.port}`,
    ]) {
      expect((await send(server, 'GET', '/', { headers: { host, cookie } })).status, host).toBe(
        403,
      );
      expect((await api('appInfo', [], { host })).status, host).toBe(403);
      const exchange = await send(server, 'GET', `/?token=${server.token}`, { headers: { host } });
      expect(exchange.status, host).toBe(403);
      expect(exchange.headers['set-cookie']).toBeUndefined();
    }
    expect((await api('appInfo', [], { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('a foreign Origin → 403; our own → 200', async () => {
    for (const origin of [
      'http://evil.example',
      `http://127.0.0.1:${server.port + 1}`,
      `https://127.0.0.1:${server.port}`,
      'null',
    ]) {
      expect((await api('appInfo', [], { origin })).status, origin).toBe(403);
    }
    expect((await api('appInfo', [], { origin: `http://127.0.0.1:${server.port}` })).status).toBe(
      200,
    );
    expect(
      (
        await api('appInfo', [], {
          origin: `http://localhost:${server.port}`,
          host: `localhost:${server.port}`,
        })
      ).status,
    ).toBe(200);
  });
});

function connect(headers: Record<string, string>): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
    });
    ws.once('error', () => undefined);
  });
}

describe('S2: the same rules for the WebSocket', () => {
  const own = () => `http://127.0.0.1:${server.port}`;

  it('no cookie → 401', async () => {
    expect((await connect({ origin: own() })).status).toBe(401);
  });
  it('a foreign Host → 403', async () => {
    expect((await connect({ cookie, host: `evil.example:${server.port}` })).status).toBe(403);
  });
  it('a foreign Origin → 403', async () => {
    expect((await connect({ cookie, origin: 'http://evil.example' })).status).toBe(403);
  });
  it('another path → 404', async () => {
    const res = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/other`, { headers: { cookie } });
      ws.once('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
      ws.once('error', () => undefined);
    });
    expect(res).toBe(404);
  });

  it('good → upgrade, then change events as JSON', async () => {
    await api('openFolder', [fx.snap]);
    const { ws } = await connect({ cookie, origin: own() });
    if (!ws) throw new Error('no WebSocket');
    try {
      const message = new Promise<ChangeEvent>((resolve) =>
        ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as ChangeEvent)),
      );
      await writeFile(
        path.join(fx.snap, 'tapedeck.json'),
        '{ "format": "tapedeck/1", "notes": "live" }',
      );
      expect(await message).toEqual({
        kind: 'manifest',
        path: 'tapedeck.json',
        manifest: { format: 'tapedeck/2', notes: 'live' },
      });
    } finally {
      ws.close();
    }
  });

  it('a plain GET of the events path is not served', async () => {
    expect((await send(server, 'GET', '/api/events', { headers: { cookie } })).status).toBe(426);
  });
});

describe('the API over HTTP', () => {
  it('opens, reads and saves; a stale save is 409 with the current content', async () => {
    const opened = (await api('openFolder', [fx.snap])).json() as {
      result: { calls: { file: string }[] };
    };
    const file = opened.result.calls[0]!.file;
    const read = (await api('readFile', [file])).json() as {
      result: { path: string; text: string; hash: string };
    };
    const saved = await api('saveFile', [file, read.result.text, read.result.hash]);
    expect(saved.status).toBe(200);
    expect(saved.json()).toMatchObject({ result: { ok: true, hash: read.result.hash } });
    const stale = await api('saveFile', [file, read.result.text, 'f'.repeat(64)]);
    expect(stale.status).toBe(409);
    expect(stale.json()).toEqual({
      error: { code: 'conflict', message: expect.stringContaining(file) as string },
      current: read.result,
    });
    // An invalid save is still an answer, not an error.
    const invalid = await api('saveFile', [file, '{', read.result.hash]);
    expect(invalid.status).toBe(200);
    expect(invalid.json()).toMatchObject({ result: { ok: false, reason: 'invalid' } });
  });

  it('maps errors to statuses and codes', async () => {
    const cases: [string, unknown[], number, string][] = [
      ['readFile', ['tapedeck.json'], 409, 'no_folder'],
      ['nope', [], 404, 'not_found'],
      ['readFile', [42], 400, 'bad_request'],
      ['saveFile', ['x.json'], 400, 'bad_request'],
    ];
    for (const [method, args, status, code] of cases) {
      const res = await api(method, args);
      expect(res.status, method).toBe(status);
      expect(res.json(), method).toMatchObject({ error: { code } });
    }
    await api('openFolder', [fx.snap]);
    for (const [args, status, code] of [
      [['../secret.txt'], 403, 'path_outside'],
      [['calls/missing.json'], 404, 'not_found'],
    ] as const) {
      const res = await api('readFile', [...args]);
      expect(res.status).toBe(status);
      expect(res.json()).toMatchObject({ error: { code } });
      expect(res.text).not.toContain('SECRET');
    }
  });

  it('wants POST with a JSON array', async () => {
    expect((await send(server, 'GET', '/api/appInfo', { headers: { cookie } })).status).toBe(405);
    expect(
      (await send(server, 'POST', '/api/appInfo', { headers: { cookie }, body: '{}' })).status,
    ).toBe(400);
    expect(
      (await send(server, 'POST', '/api/appInfo', { headers: { cookie }, body: '[1,' })).status,
    ).toBe(400);
    expect((await send(server, 'POST', '/api/appInfo', { headers: { cookie } })).status).toBe(200);
  });

  it('lists folders and answers null for pickFolder in the browser', async () => {
    expect((await api('pickFolder', [])).json()).toEqual({ result: null });
    const listing = (await api('listDir', [null])).json() as { result: { path: string } };
    expect(listing.result.path).toBe(fx.base);
    expect((await api('listDir', ['/etc'])).status).toBe(403);
  });
});

describe('the renderer files', () => {
  it('serves HTML with the CSP, assets with their types, routes as index.html', async () => {
    const page = await send(server, 'GET', '/', { headers: { cookie } });
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).toContain("worker-src 'self' blob:");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const js = await send(server, 'GET', '/assets/app.js', { headers: { cookie } });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(
      (await send(server, 'GET', '/assets/app.css', { headers: { cookie } })).headers[
        'content-type'
      ],
    ).toBe('text/css; charset=utf-8');
    const route = await send(server, 'GET', '/calls/000001', { headers: { cookie } });
    expect(route.text).toBe(page.text);
    expect((await send(server, 'GET', '/assets/missing.js', { headers: { cookie } })).status).toBe(
      404,
    );
  });

  it('never serves files outside the renderer folder', async () => {
    for (const target of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%252e%252e/x.js',
    ]) {
      const res = await send(server, 'GET', target, { headers: { cookie } });
      expect(res.text, target).not.toContain('SECRET');
      expect([400, 404], target).toContain(res.status);
    }
  });

  it('explains how to build the UI when dist/renderer is missing', async () => {
    const bare = await startUiServer({
      configDir: fx.configDir,
      rendererDir: path.join(fx.base, 'none'),
      log: () => undefined,
    });
    try {
      const c = await login(bare);
      const res = await send(bare, 'GET', '/', { headers: { cookie: c } });
      expect(res.status).toBe(503);
      expect(res.text).toContain('npm run build:renderer');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    } finally {
      await bare.close();
    }
  });
});
