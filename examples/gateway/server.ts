/**
 * The gateway's HTTP front: `POST /v1/route` takes an OpenAI chat body without `model` and answers
 * with the chosen vendor's completion (`x-gateway-vendor`, `x-request-id` and `x-gateway-attempts`
 * say what happened); errors are `{ "error": { "type", "message", "request_id", "vendor" } }`.
 * `GET /v1/vendors` shows each vendor's breakers, `GET /health` answers 200.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ModelEntry } from './registry.js';
import { RouteRequest } from './request.js';
import { DEFAULT_OPTIONS, Router, type RouterOptions } from './router.js';
import { parametersProblem } from './tool-calls.js';

const MAX_BODY = 1 << 20;
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export interface Gateway {
  url: string;
  router: Router;
  close(): Promise<void>;
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_BODY) throw new BodyError(413, `body over ${MAX_BODY} bytes`);
      chunks.push(c);
    }
  } catch (e) {
    if (e instanceof BodyError) throw e;
    // The caller hung up mid-body (an abort, a reset): its request, not a gateway fault.
    throw new BodyError(400, 'the client left before the body ended');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError(400, 'body is not JSON');
  }
}

/**
 * The request-target as a URL, or null: one `new URL` cannot read is this caller's 400, where a
 * throw in the handler would be an uncaught exception that ends the gateway for everyone.
 */
function targetOf(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://gateway');
  } catch {
    return null;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startGateway(o: {
  registry: readonly ModelEntry[];
  log: Logger;
  port?: number;
  host?: string;
  options?: RouterOptions;
}): Promise<Gateway> {
  const router = new Router(o.registry, o.log, o.options ?? DEFAULT_OPTIONS);
  let seq = 0;
  const server = createServer((req, res) => {
    const url = targetOf(req);
    if (url === null)
      return send(res, 400, {
        error: { type: 'invalid_request', message: 'unreadable request target' },
      });
    if (url.pathname === '/health') return send(res, 200, { ok: true });
    if (url.pathname === '/v1/vendors') return send(res, 200, { vendors: router.view() });
    if (url.pathname !== '/v1/route')
      return send(res, 404, { error: { type: 'not_found', message: url.pathname } });
    if (req.method !== 'POST')
      return send(
        res,
        405,
        { error: { type: 'method_not_allowed', message: 'POST only' } },
        { allow: 'POST' },
      );
    const n = ++seq;
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : `req-${n}`;
    const ids = { requestId, seq: n };
    void (async () => {
      const parsed = RouteRequest.safeParse(await readJson(req));
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new BodyError(
          400,
          `${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid'}`,
        );
      }
      const unusable = parametersProblem(parsed.data.tools ?? []);
      if (unusable !== null) throw new BodyError(400, unusable);
      const r = await router.route(parsed.data, ids);
      send(res, r.status, r.body, {
        'x-request-id': requestId,
        'x-gateway-vendor': r.vendor ?? '',
        'x-gateway-attempts': String(r.attempts),
      });
    })().catch((e: unknown) => {
      if (e instanceof BodyError) {
        o.log.info(
          { event: 'bad-request', rule: 'input', ...ids, vendor: null, reason: e.message },
          `${requestId}: ${e.message}`,
        );
        return send(
          res,
          e.status,
          {
            error: {
              type: 'invalid_request',
              message: e.message,
              request_id: requestId,
              vendor: null,
            },
          },
          { 'x-request-id': requestId },
        );
      }
      // A bug in the router answers this one request with a 500; the gateway keeps serving.
      const message = e instanceof Error ? e.message : String(e);
      o.log.error(
        { event: 'failed', rule: 'internal-error', ...ids, vendor: null, reason: message },
        `${requestId}: ${message}`,
      );
      send(
        res,
        500,
        { error: { type: 'internal_error', message, request_id: requestId, vendor: null } },
        { 'x-request-id': requestId },
      );
    });
  });
  // Keep-alive sockets from a load generator must not hold close() open.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    router,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
