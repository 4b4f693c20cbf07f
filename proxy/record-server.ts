/** `tapedeck record`: a reverse proxy that writes one call file per request. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Agent } from 'undici';
import { signatureOf } from '../shared/matching/signature.js';
import { analyzeExchange } from '../shared/providers/analyze.js';
import { detectApi, providerOf } from '../shared/providers/detect.js';
import { providerError, type ErrorReply } from '../shared/providers/errors.js';
import { redactHeaders, redactUrl } from '../shared/redact.js';
import {
  FORMAT,
  Manifest,
  type Call,
  type RecordedRequest,
  type RecordedResponse,
} from '../shared/schema.js';
import {
  BUILTIN_UPSTREAMS,
  CONTROL_NAME,
  parseQuery,
  parseRoute,
  upstreamUrl,
  type Route,
} from '../shared/upstreams.js';
import { bodyForMatching, storeBody } from './body.js';
import { forward, type Capture } from './forward.js';
import { flattenHeaders, readBody, sendJson } from './http-util.js';
import { closeServer, createServer, listen, type RunningServer } from './server-util.js';
import { MANIFEST_FILE, initSnapshotDir, lastSeq, writeCallFile } from './store/snapshot-store.js';
import { VERSION } from './version.js';

export interface RecordOptions {
  dir: string;
  port?: number;
  host?: string;
  upstreams?: Record<string, string>;
  redactHeaders?: string[];
  log?: (line: string) => void;
}

export type { RunningServer };

export function newCallId(): string {
  return `c_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
}

async function readPrices(dir: string): Promise<Manifest['prices']> {
  try {
    const parsed = Manifest.safeParse(
      JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')),
    );
    return parsed.success ? parsed.data.prices : undefined;
  } catch {
    return undefined;
  }
}

function unknownUpstream(res: ServerResponse, name: string, known: string[]): void {
  sendJson(res, 404, {
    error: {
      message: `Tapedeck: unknown upstream "${name}". Known: ${known.join(', ')}. Add one with --upstream ${name}=URL.`,
      type: 'tapedeck_unknown_upstream',
    },
  });
}

interface BuildInput {
  seq: number;
  route: Route;
  upstreamName: string;
  url: string;
  req: IncomingMessage;
  body: Buffer;
  capture: Capture;
  redact: string[];
  prices: Manifest['prices'];
  /** The error Tapedeck answered with when no reply came from upstream; null when the client left first. */
  gatewayReply: ErrorReply | null;
}

export function buildCall(i: BuildInput): Call {
  const reqHeaders = flattenHeaders(i.req.headers);
  const request: RecordedRequest = {
    method: i.req.method ?? 'GET',
    url: redactUrl(i.url),
    headers: redactHeaders(reqHeaders, i.redact),
    ...storeBody(i.body, reqHeaders['content-type']),
  };
  const { capture } = i;
  let response: RecordedResponse;
  if (capture.status === null) {
    // No reply came: store what the client was given instead (our 502, or nothing at all).
    response = i.gatewayReply
      ? {
          status: i.gatewayReply.status,
          headers: i.gatewayReply.headers,
          body: i.gatewayReply.body,
        }
      : {
          status: 499,
          headers: {},
          bodyText: 'client closed the request before the upstream answered',
        };
  } else {
    const headers = redactHeaders(capture.headers, i.redact);
    response = capture.events
      ? { status: capture.status, headers, stream: capture.events }
      : {
          status: capture.status,
          headers,
          ...storeBody(capture.bytes, capture.headers['content-type'], capture.encoded),
        };
  }
  const live = {
    upstream: i.upstreamName,
    method: request.method.toUpperCase(),
    path: i.route.path,
    query: parseQuery(i.route.search),
    body: bodyForMatching(request),
  };
  const analysis = analyzeExchange(
    { upstream: i.upstreamName, path: i.route.path, request, response },
    i.prices,
  );
  return {
    format: FORMAT,
    id: newCallId(),
    seq: i.seq,
    recordedAt: new Date().toISOString(),
    upstream: i.upstreamName,
    provider: analysis.provider,
    api: analysis.api,
    model: analysis.model,
    outcome: capture.outcome,
    request,
    response,
    timing: { ttfbMs: capture.ttfbMs, totalMs: capture.totalMs },
    usage: analysis.usage,
    costUsd: analysis.costUsd,
    costSource: analysis.costSource,
    signature: signatureOf(live),
  };
}

function gatewayMessage(name: string, error: string | undefined): string {
  return `Tapedeck: upstream "${name}" could not be reached: ${error ?? 'unknown error'}`;
}

export async function startRecordServer(opts: RecordOptions): Promise<RunningServer> {
  const { dir } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const upstreams: Record<string, string> = { ...BUILTIN_UPSTREAMS, ...opts.upstreams };
  const redact = (opts.redactHeaders ?? []).map((h) => h.toLowerCase());
  await initSnapshotDir(dir, `tapedeck ${VERSION}`);
  let seq = await lastSeq(dir);
  const prices = await readPrices(dir);
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: null });
  const pending = new Set<Promise<void>>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = parseRoute(req.url ?? '/');
    if (route?.name === CONTROL_NAME) {
      if (route.path === '/health') return sendJson(res, 200, { ok: true, mode: 'record', dir });
      return sendJson(res, 404, {
        error: { message: `Tapedeck: no control endpoint ${route.path}`, type: 'tapedeck' },
      });
    }
    const base = route ? upstreams[route.name] : undefined;
    if (!route || !base) return unknownUpstream(res, route?.name ?? '', Object.keys(upstreams));

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      // The client left before its request was complete: nothing was sent upstream, nothing to record.
      log(
        `record ${req.method} /${route.name}${route.path} client went away before sending its body`,
      );
      return;
    }
    const mySeq = ++seq;
    const url = upstreamUrl(base, route);
    const capture = await forward({ req, res, url, body, dispatcher });
    let gatewayReply: ErrorReply | null = null;
    if (capture.status === null && capture.outcome === 'upstream_error') {
      const family = detectApi(route.path).family;
      gatewayReply = providerError(
        family,
        providerOf(route.name, family),
        'bad_gateway',
        gatewayMessage(route.name, capture.error),
      );
      sendJson(res, gatewayReply.status, gatewayReply.body, gatewayReply.headers);
    }
    // The reply is out; let the next request's I/O go first, then do the bookkeeping.
    await new Promise((r) => setImmediate(r));
    const call = buildCall({
      seq: mySeq,
      route,
      upstreamName: route.name,
      url,
      req,
      body,
      capture,
      redact,
      prices,
      gatewayReply,
    });
    const file = await writeCallFile(dir, call);
    const events = call.response.stream ? ` ${call.response.stream.length} events` : '';
    const outcome =
      call.outcome === 'complete'
        ? ''
        : ` ${call.outcome}${capture.error ? ` (${capture.error})` : ''}`;
    log(
      `record #${mySeq} ${route.name} ${call.request.method} ${route.path} → ${call.response.status} ${Math.round(call.timing.totalMs)}ms${events}${outcome} ${file}`,
    );
  }

  const server = createServer((req, res) => {
    const p = handle(req, res)
      .catch((e: Error) => {
        log(`record error: ${e.stack ?? e.message}`);
        sendJson(res, 500, {
          error: { message: `Tapedeck recorder error: ${e.message}`, type: 'tapedeck_error' },
        });
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  });
  const { url, port } = await listen(server, opts.port ?? 8080, opts.host ?? '127.0.0.1');
  return {
    url,
    port,
    async close() {
      await closeServer(server);
      await Promise.all([...pending]);
      await dispatcher.close();
    },
  };
}
