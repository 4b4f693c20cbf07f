/**
 * `tapedeck ui`: the desktop UI in a browser. Serves the built renderer and the DesktopApi over
 * HTTP (`POST /api/<method>`) and a WebSocket (`GET /api/events`), as `shared/desktop-api.ts`
 * describes, behind the token/cookie, Host and Origin checks of `ui/guard.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import type { ConflictReply, SaveResult } from '../shared/desktop-api.js';
import { DesktopHost } from './host/desktop-host.js';
import { STATUS_OF, rpcErrorOf } from './host/host-error.js';
import { rendererDir as defaultRendererDir } from './host/package-root.js';
import { contentSecurityPolicy } from './host/renderer-assets.js';
import { dispatch } from './host/rpc.js';
import { closeServer, createServer, listen, type RunningServer } from './server-util.js';
import { EVENTS_PATH, eventSockets } from './ui/events.js';
import {
  allowedHostsFor,
  checkHostAndOrigin,
  hasSession,
  newToken,
  refusalCode,
  sessionCookie,
  tokenMatches,
  type Guard,
} from './ui/guard.js';
import { serveRenderer } from './ui/static.js';

export interface UiServerOptions {
  /** Opened by the UI at start (absolute); null or absent shows the start page. */
  folder?: string | null;
  port?: number;
  host?: string;
  configDir?: string;
  /** Where the browser-mode folder picker starts (default: the home folder). */
  browseStart?: string;
  /** The built renderer (default: dist/renderer of the package). */
  rendererDir?: string;
  sampleSource?: string;
  watchDebounceMs?: number;
  log?: (line: string) => void;
}

export interface UiServer extends RunningServer {
  /** The start URL, with the token: the one URL that opens a session. */
  url: string;
  /** http://HOST:PORT without the token. */
  origin: string;
  token: string;
  host: DesktopHost;
}

/** Large enough for a call file with a long recorded stream, small enough to refuse a flood. */
const MAX_BODY = 64 * 1024 * 1024;

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

function sendApiJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

function isConflict(v: unknown): v is Extract<SaveResult, { reason: 'conflict' }> {
  return typeof v === 'object' && v !== null && (v as { reason?: unknown }).reason === 'conflict';
}

function refuse(res: ServerResponse, status: number, message: string, api: boolean): void {
  if (api) return sendApiJson(res, status, { error: { message, code: refusalCode(status) } });
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(message + '\n');
}

function readJsonBody(req: IncomingMessage): Promise<{ ok: true; text: string } | { ok: false }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) over = true;
      if (!over) chunks.push(c);
    });
    req.on('end', () =>
      resolve(over ? { ok: false } : { ok: true, text: Buffer.concat(chunks).toString('utf8') }),
    );
    req.on('error', reject);
  });
}

export async function startUiServer(opts: UiServerOptions = {}): Promise<UiServer> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const bindHost = opts.host ?? '127.0.0.1';
  const renderer = opts.rendererDir ?? defaultRendererDir();
  const token = newToken();
  const host = new DesktopHost({
    mode: 'browser',
    initialFolder: opts.folder ?? null,
    configDir: opts.configDir,
    browseStart: opts.browseStart ?? homedir(),
    sampleSource: opts.sampleSource,
    watchDebounceMs: opts.watchDebounceMs,
  });
  let guard: Guard | null = null;

  async function api(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendApiJson(res, 405, { error: { message: 'use POST', code: 'bad_request' } });
    }
    const body = await readJsonBody(req);
    if (!body.ok) {
      res.setHeader('connection', 'close');
      return sendApiJson(res, 413, {
        error: { message: `request over ${MAX_BODY} bytes`, code: 'bad_request' },
      });
    }
    let args: unknown;
    try {
      args = body.text.trim() === '' ? [] : JSON.parse(body.text);
    } catch {
      return sendApiJson(res, 400, {
        error: { message: 'the body must be a JSON array of arguments', code: 'bad_request' },
      });
    }
    if (!Array.isArray(args))
      return sendApiJson(res, 400, {
        error: { message: 'the body must be a JSON array of arguments', code: 'bad_request' },
      });
    try {
      const result = await dispatch(host, method, args);
      if (method === 'saveFile' && isConflict(result)) {
        // A stale save is an HTTP conflict: the current content travels with it.
        const reply: ConflictReply = {
          error: {
            message: `${result.current.path} changed on disk since it was read; nothing was written`,
            code: 'conflict',
          },
          current: result.current,
        };
        return sendApiJson(res, 409, reply);
      }
      sendApiJson(res, 200, { result: result ?? null });
    } catch (e) {
      const error = rpcErrorOf(e);
      if (error.code === 'internal')
        log(`tapedeck ui: ${method} failed: ${(e as Error)?.stack ?? String(e)}`);
      sendApiJson(res, STATUS_OF[error.code], { error });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://host.invalid');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    if (!guard) return refuse(res, 503, 'starting', isApi);
    const where = checkHostAndOrigin(guard, req);
    if (!where.ok) return refuse(res, where.status, where.message, isApi);

    const given = url.searchParams.get('token');
    if (given !== null && (req.method === 'GET' || req.method === 'HEAD') && !isApi) {
      if (!tokenMatches(guard, given))
        return refuse(res, 401, 'wrong token: open the URL `tapedeck ui` printed last', false);
      url.searchParams.delete('token');
      res.writeHead(302, {
        'set-cookie': sessionCookie(guard.port, token),
        location: url.pathname + url.search,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    if (!hasSession(guard, req))
      return refuse(
        res,
        401,
        'no session: open the URL `tapedeck ui` printed (it carries the token)',
        isApi,
      );

    if (url.pathname === EVENTS_PATH) return refuse(res, 426, 'this path is a WebSocket', true);
    if (isApi) return api(req, res, url.pathname.slice('/api/'.length));
    const csp = contentSecurityPolicy([`ws://${(req.headers.host ?? '').toLowerCase()}`]);
    return serveRenderer(req, res, renderer, url.pathname, csp);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`tapedeck ui: ${(e as Error)?.stack ?? String(e)}`);
      if (!res.headersSent)
        sendApiJson(res, 500, { error: { message: 'internal error', code: 'internal' } });
      else res.destroy();
    });
  });
  const sockets = eventSockets(host, () => guard);
  server.on('upgrade', (req, socket, head: Buffer) => sockets.upgrade(req, socket, head));

  let listening: { url: string; port: number };
  try {
    listening = await listen(server, opts.port ?? 0, bindHost);
  } catch (e) {
    // Nothing may stay open when the port is taken: the process must end with its one line.
    sockets.close();
    await host.close();
    throw e;
  }
  const port = listening.port;
  guard = { token, port, allowedHosts: allowedHostsFor(bindHost, port) };
  // A wildcard address is not a Host a browser can be sent to; loopback reaches it too.
  const url = WILDCARD.has(bindHost) ? `http://127.0.0.1:${port}` : listening.url;
  return {
    url: `${url}/?token=${token}`,
    origin: url,
    port,
    token,
    host,
    async close() {
      sockets.close();
      await host.close();
      await closeServer(server);
    },
  };
}
