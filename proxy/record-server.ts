/** `tapedeck record`: a reverse proxy that writes one call file per request. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Agent } from 'undici';
import { signatureOf } from '../shared/matching/signature.js';
import { analyzeExchange } from '../shared/providers/analyze.js';
import { providerOf, routeOf } from '../shared/adapters/registry.js';
import { providerError, type ErrorKind, type ErrorReply } from '../shared/providers/errors.js';
import { DEFAULT_MAX_BODY_BYTES, MAX_JSON_DEPTH, bytesExceedDepth } from '../shared/limits.js';
import { Redactor, redactHeaders, redactUrl } from '../shared/redact.js';
import {
  FORMAT,
  Manifest,
  type Call,
  type RecordedRequest,
  type RecordedResponse,
  type Signature,
  type StreamEvent,
} from '../shared/schema.js';
import {
  BUILTIN_UPSTREAMS,
  CONTROL_NAME,
  parseQuery,
  parseRoute,
  upstreamUrl,
  type Route,
} from '../shared/upstreams.js';
import { formatAfterRedaction } from '../shared/wire/json-format.js';
import { describeStream } from '../shared/wire/sse-format.js';
import {
  bodyForMatching,
  parsesAsJson,
  storeBody,
  storeReplyBody,
  type StoredBody,
} from './body.js';
import { forward, type Capture } from './forward.js';
import { BodyTooLargeError, flattenHeaders, readBody, sendJson } from './http-util.js';
import {
  DEFAULT_BODY_TIMEOUT_MS,
  StartError,
  closeServer,
  closedByTimeout,
  createServer,
  listen,
  type RunningServer,
} from './server-util.js';
import { logCleanUp } from './store/clean-up-log.js';
import {
  MANIFEST_FILE,
  cleanSnapshotSideFiles,
  initSnapshotDir,
  lastSeq,
  writeCallFile,
} from './store/snapshot-store.js';
import { readSnapshotFile } from './store/read-file.js';
import { VERSION } from './version.js';

export interface RecordOptions {
  dir: string;
  port?: number;
  host?: string;
  upstreams?: Record<string, string>;
  redactHeaders?: string[];
  /** Request bodies over this many bytes get a 413 and are not forwarded (default 32 MiB). */
  maxBodyBytes?: number;
  /** Longest time to receive a whole request, 0 for none (default 300 s); replies are not timed. */
  bodyTimeoutMs?: number;
  /** Request-body JSON paths whose value is never written (`--redact-body-path`). */
  redactBodyPaths?: string[];
  log?: (line: string) => void;
}

export type { RunningServer };

/** One request that reached a proxied route and did not end up as a call file. */
export interface NotRecorded {
  upstream: string;
  method: string;
  path: string;
  /** The status the client was given (0: none, the connection was closed). */
  status: number;
  reason: string;
}

export interface RunningRecorder extends RunningServer {
  /** Requests that were refused or whose call file could not be written (for --strict). */
  readonly notRecorded: readonly NotRecorded[];
}

/** The folder cannot be used for recording: not a folder, or cannot be created or read. */
export class SnapshotDirError extends StartError {}

export function newCallId(): string {
  return `c_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
}

/** `tapedeck.json` or a redaction flag cannot be used; the CLI reports it as a usage error. */
export class RecordConfigError extends Error {}

/**
 * The manifest, or null when there is none. An unreadable one stops the recorder: its `redact`
 * rules must hold before anything reaches disk, and a broken file cannot say what they are.
 */
async function readManifest(dir: string): Promise<Manifest | null> {
  const file = path.join(dir, MANIFEST_FILE);
  const read = await readSnapshotFile(file);
  if (!read.ok) {
    if (read.missing) return null;
    throw new RecordConfigError(`${file} ${read.reason}; fix it before recording`);
  }
  const text = read.bytes.toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RecordConfigError(
      `${file} is not valid JSON (${(e as Error).message}); fix it before recording`,
    );
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new RecordConfigError(
      `${file} is invalid${where}: ${issue?.message ?? 'bad manifest'}; fix it before recording`,
    );
  }
  return parsed.data;
}

function unknownUpstream(res: ServerResponse, name: string, known: string[]): void {
  sendJson(res, 404, {
    error: {
      message: `Tapedeck: unknown upstream "${name}". Known: ${known.join(', ')}. Add one with --upstream ${name}=URL.`,
      type: 'tapedeck_unknown_upstream',
    },
  });
}

/** A stored body with the redactor applied: JSON as a value, text as text, binary as it is. */
function redactBody(
  stored: StoredBody,
  redactor: Redactor,
  json: (v: unknown) => unknown,
): StoredBody {
  if (stored.body !== undefined) return { body: json(stored.body) };
  if (stored.bodyText !== undefined) return { bodyText: redactor.text(stored.bodyText) };
  return stored;
}

/**
 * A reply body redacted, with the format that spells it: the spellings of values the redaction
 * replaced are dropped (they would keep the secret), and so is a raw text the redactor would change.
 */
function redactReplyBody(stored: StoredBody, redactor: Redactor): StoredBody {
  if (stored.body === undefined) return redactBody(stored, redactor, (v) => v);
  const body = redactor.responseBody(stored.body);
  let format = formatAfterRedaction(stored.bodyFormat, stored.body, body);
  if (format?.raw !== undefined && redactor.text(format.raw) !== format.raw) {
    const { raw: _raw, ...rest } = format;
    format = rest;
  }
  return format ? { body, bodyFormat: format } : { body };
}

/**
 * The recorded events, redacted, with the stream's framing and each event's own text where the
 * framing cannot rebuild it. Text the redactor would change is never kept: such an event is
 * written from its (redacted) fields.
 */
function recordedStream(
  events: readonly StreamEvent[],
  text: string | null,
  redactor: Redactor,
): Pick<RecordedResponse, 'stream' | 'streamFormat'> {
  const framing = text === null ? null : describeStream(text, events);
  const stream = events.map((e, i): StreamEvent => {
    const out = e.data === undefined ? { ...e } : { ...e, data: redactor.streamData(e.data) };
    const raw = framing?.raws[i];
    if (raw !== undefined && out.data === e.data && redactor.text(raw) === raw) out.raw = raw;
    return out;
  });
  const format = framing?.format;
  if (format?.end !== undefined && redactor.text(format.end) !== format.end) delete format.end;
  return format && Object.keys(format).length > 0 ? { stream, streamFormat: format } : { stream };
}

/** The request half of a call: what was sent, redacted, and the signature that matches it. */
export interface RequestPart {
  request: RecordedRequest;
  signature: Signature;
}

export function buildRequestPart(i: {
  route: Route;
  upstreamName: string;
  url: string;
  req: IncomingMessage;
  body: Buffer;
  redactor: Redactor;
}): RequestPart {
  const { redactor } = i;
  const reqHeaders = flattenHeaders(i.req.headers);
  const storedRequest = storeBody(i.body, reqHeaders['content-type']);
  const request: RecordedRequest = {
    method: i.req.method ?? 'GET',
    // Detectors first: redactUrl then writes its own (URL-escaped) marker for secret names.
    url: redactUrl(redactor.text(i.url)),
    headers: redactHeaders(reqHeaders, redactor.headers, redactor.text),
    ...redactBody(storedRequest, redactor, (v) => redactor.requestBody(v)),
  };
  // The signature is built from what was stored, so it holds no more than the request does.
  const query = parseQuery(i.route.search);
  for (const [k, v] of Object.entries(query))
    query[k] = typeof v === 'string' ? redactor.text(v) : v.map(redactor.text);
  const live = {
    upstream: i.upstreamName,
    method: request.method.toUpperCase(),
    path: redactor.text(i.route.path),
    query,
    body: bodyForMatching(request),
  };
  return {
    request,
    signature: withIgnored(signatureOf(live), redactor.flagPathsIn(storedRequest.body)),
  };
}

interface BuildInput {
  seq: number;
  route: Route;
  upstreamName: string;
  part: RequestPart;
  capture: Capture;
  redactor: Redactor;
  prices: Manifest['prices'];
  /** The error Tapedeck answered with when no reply came from upstream; null when the client left first. */
  gatewayReply: ErrorReply | null;
}

export function buildCall(i: BuildInput): Call {
  const { request, signature } = i.part;
  const { redactor } = i;
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
    const headers = redactHeaders(capture.headers, redactor.headers, redactor.text);
    response = capture.events
      ? {
          status: capture.status,
          headers,
          ...recordedStream(capture.events, capture.streamText, redactor),
        }
      : {
          status: capture.status,
          headers,
          ...redactReplyBody(
            storeReplyBody(capture.bytes, capture.headers['content-type'], capture.encoded),
            redactor,
          ),
        };
  }
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
    // The route's path as stored in the URL: a key in a path segment is redacted there too.
    route: { ...analysis.route, path: redactor.text(i.route.path) },
    outcome: capture.outcome,
    request,
    response,
    timing: { ttfbMs: capture.ttfbMs, totalMs: capture.totalMs },
    usage: analysis.usage,
    costUsd: analysis.costUsd,
    costSource: analysis.costSource,
    signature,
  };
}

/**
 * Paths redacted by `--redact-body-path` are unknown to a later `mock`, so the signature itself
 * says not to compare them: any value there matches, as the recorded one is gone. (Paths from
 * `tapedeck.json` need no such note: the mock reads them and redacts the live request alike.)
 */
function withIgnored(sig: Signature, paths: readonly string[]): Signature {
  if (sig.body === undefined || paths.length === 0) return sig;
  // `$.body…` names the body explicitly, so a body whose first key is `query` stays unambiguous.
  return { ...sig, ignore: [...(sig.ignore ?? []), ...paths.map((p) => `$.body${p.slice(1)}`)] };
}

function gatewayMessage(name: string, error: string | undefined): string {
  return `Tapedeck: upstream "${name}" could not be reached: ${error ?? 'unknown error'}`;
}

export async function startRecordServer(opts: RecordOptions): Promise<RunningRecorder> {
  const { dir } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const upstreams: Record<string, string> = { ...BUILTIN_UPSTREAMS, ...opts.upstreams };
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyTimeout = opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: null });
  const pending = new Set<Promise<void>>();
  const notRecorded: NotRecorded[] = [];
  let seq = 0;
  let prices: Manifest['prices'];
  let redactor = new Redactor(undefined);
  // The folder is prepared only once the port is ours; a request that arrives in between waits,
  // and is dropped (its connection closed) if the folder turns out unusable.
  let folderReady: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((r) => (folderReady = r));

  /** Counts a request that leaves no call file, and says so in the log. */
  function lost(route: Route, method: string, status: number, reason: string): void {
    notRecorded.push({ upstream: route.name, method, path: route.path, status, reason });
    log(
      `record ${route.name} ${method} ${route.path} → ${status || 'closed'} NOT RECORDED: ${reason}`,
    );
  }

  /** Answers in the provider's shape without forwarding: nothing reached the upstream. */
  function refuse(
    res: ServerResponse,
    route: Route,
    method: string,
    kind: ErrorKind,
    reason: string,
    headers: Record<string, string> = {},
  ): void {
    const family = routeOf(route.path).family;
    const err = providerError(
      family,
      providerOf(route.name, family),
      kind,
      `Tapedeck: request refused, not forwarded: ${reason}.`,
    );
    sendJson(res, err.status, err.body, { ...err.headers, ...headers });
    lost(route, method, err.status, reason);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(await ready)) return;
    const route = parseRoute(req.url ?? '/');
    if (route?.name === CONTROL_NAME) {
      if (route.path === '/health') return sendJson(res, 200, { ok: true, mode: 'record', dir });
      return sendJson(res, 404, {
        error: { message: `Tapedeck: no control endpoint ${route.path}`, type: 'tapedeck' },
      });
    }
    const base = route ? upstreams[route.name] : undefined;
    if (!route || !base) {
      unknownUpstream(res, route?.name ?? '', Object.keys(upstreams));
      if (route) lost(route, req.method ?? 'GET', 404, `unknown upstream "${route.name}"`);
      return;
    }
    const method = req.method ?? 'GET';

    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch (e) {
      // An oversized body is not read to its end, so the connection cannot carry another request.
      if (e instanceof BodyTooLargeError)
        return refuse(res, route, method, 'too_large', `body over --max-body (${maxBody} bytes)`, {
          connection: 'close',
        });
      if (closedByTimeout(req.socket))
        return lost(
          route,
          method,
          408,
          `request not complete within --body-timeout (${bodyTimeout} ms); closed`,
        );
      // The client left before its request was complete: nothing was sent upstream, nothing to record.
      log(`record ${method} /${route.name}${route.path} client went away before sending its body`);
      return;
    }
    // Deeper JSON could not be written (or matched later): refuse it before anything is forwarded.
    // The scan costs nothing for bodies shorter than the limit.
    if (bytesExceedDepth(body) && parsesAsJson(body))
      return refuse(
        res,
        route,
        method,
        'invalid_request',
        `JSON body nests deeper than ${MAX_JSON_DEPTH} levels`,
      );
    const url = upstreamUrl(base, route);
    const mySeq = ++seq;
    const capture = await forward({ req, res, url, body, dispatcher });
    let gatewayReply: ErrorReply | null = null;
    if (capture.status === null && capture.outcome === 'upstream_error') {
      const family = routeOf(route.path).family;
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
    let file: string;
    let call: Call;
    try {
      // Built after the reply is out, so recording adds no latency; what decides whether a call
      // can be stored at all (size, nesting) was checked on the bytes before forwarding.
      const part = buildRequestPart({ route, upstreamName: route.name, url, req, body, redactor });
      call = buildCall({
        seq: mySeq,
        route,
        upstreamName: route.name,
        part,
        capture,
        redactor,
        prices,
        gatewayReply,
      });
      file = await writeCallFile(dir, call);
    } catch (e) {
      // The client already has its reply: all that is left is to say so, loudly, and fail --strict.
      return lost(
        route,
        method,
        capture.status ?? gatewayReply?.status ?? 0,
        `call #${mySeq} could not be stored: ${(e as Error).message}`,
      );
    }
    const events = call.response.stream ? ` ${call.response.stream.length} events` : '';
    const outcome =
      call.outcome === 'complete'
        ? ''
        : ` ${call.outcome}${capture.error ? ` (${capture.error})` : ''}`;
    log(
      `record #${mySeq} ${route.name} ${call.request.method} ${route.path} → ${call.response.status} ${Math.round(call.timing.totalMs)}ms${events}${outcome} ${file}`,
    );
  }

  const server = createServer(
    (req, res) => {
      const p = handle(req, res)
        .catch((e: Error) => {
          log(`record error: ${e.stack ?? e.message}`);
          sendJson(res, 500, {
            error: { message: `Tapedeck recorder error: ${e.message}`, type: 'tapedeck_error' },
          });
        })
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    { bodyTimeoutMs: bodyTimeout },
  );
  // The port first: a recorder that cannot listen must not have created the folder.
  let listening: { url: string; port: number };
  try {
    listening = await listen(server, opts.port ?? 8080, opts.host ?? '127.0.0.1');
  } catch (e) {
    await dispatcher.close();
    throw e;
  }
  try {
    await initSnapshotDir(dir, `tapedeck ${VERSION}`);
    logCleanUp(await cleanSnapshotSideFiles(dir), log);
    seq = await lastSeq(dir);
    const manifest = await readManifest(dir);
    prices = manifest?.prices;
    // Built once: a bad pattern or path stops the recorder before the first request.
    try {
      redactor = new Redactor(manifest?.redact, {
        bodyPaths: opts.redactBodyPaths,
        headers: opts.redactHeaders,
      });
    } catch (e) {
      throw new RecordConfigError((e as Error).message, { cause: e });
    }
    folderReady(true);
  } catch (e) {
    folderReady(false);
    await closeServer(server);
    await dispatcher.close();
    if (e instanceof RecordConfigError) throw e;
    throw new SnapshotDirError(`cannot record into ${dir}: ${folderProblem(e)}`);
  }
  const { url, port } = listening;
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    get notRecorded() {
      return [...notRecorded];
    },
    close() {
      // Idempotent: a CLI signal and a test's cleanup may both close it.
      closing ??= (async () => {
        await closeServer(server);
        await Promise.all([...pending]);
        await dispatcher.close();
      })();
      return closing;
    },
  };
}

/** The one-line reason a folder cannot be recorded into. */
function folderProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return 'a file is in the way of the folder or its calls/ folder';
    case 'EACCES':
    case 'EPERM':
      return 'no permission to create or write it';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return err.message;
  }
}
