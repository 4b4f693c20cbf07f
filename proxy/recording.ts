/**
 * How a forwarded exchange becomes a call file, shared by `tapedeck record` and the mock's
 * `--record-misses` / *record it*: the manifest read strictly (its redaction must hold before
 * anything reaches disk), the request and reply redacted, the signature, usage, cost and route.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { signatureOf } from '../shared/matching/signature.js';
import { analyzeExchange } from '../shared/providers/analyze.js';
import type { ErrorReply } from '../shared/providers/errors.js';
import type { Redactor } from '../shared/redact.js';
import { redactHeaders, redactUrl } from '../shared/redact.js';
import {
  FORMAT,
  Manifest,
  type Call,
  type RecordedRequest,
  type RecordedResponse,
  type Signature,
  type StreamEvent,
} from '../shared/schema.js';
import { parseQuery, type Route } from '../shared/upstreams.js';
import { formatAfterRedaction } from '../shared/wire/json-format.js';
import { describeStream } from '../shared/wire/sse-format.js';
import { bodyForMatching, storeBody, storeReplyBody, type StoredBody } from './body.js';
import type { Capture } from './forward.js';
import { flattenHeaders } from './http-util.js';
import { MANIFEST_FILE } from './store/snapshot-store.js';
import { readSnapshotFile } from './store/read-file.js';

/** What a request needs to be recorded: its method and headers (a live request, or a kept one). */
export interface RequestHead {
  method?: string;
  headers: IncomingHttpHeaders;
}

export function newCallId(): string {
  return `c_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
}

/** `tapedeck.json` or a redaction flag cannot be used; the CLI reports it as a usage error. */
export class RecordConfigError extends Error {}

/**
 * The manifest, or null when there is none. An unreadable one stops the recorder: its `redact`
 * rules must hold before anything reaches disk, and a broken file cannot say what they are.
 */
export async function readManifest(dir: string): Promise<Manifest | null> {
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

/** A URL or a path with query as it is written: detectors first, then secret query parameters. */
export function redactedUrl(url: string, redactor: Redactor): string {
  // Detectors first: redactUrl then writes its own (URL-escaped) marker for secret names.
  return redactUrl(redactor.text(url));
}

/** A request body as it is written: stored as JSON, text or base64, then redacted. */
export function redactedRequestBody(
  bytes: Buffer,
  contentType: string | undefined,
  redactor: Redactor,
): StoredBody {
  return redactBody(storeBody(bytes, contentType), redactor, (v) => redactor.requestBody(v));
}

/**
 * The reply as it is written, redacted: a stream as its events, any other body as JSON, text or
 * base64. When no reply came, what the client was given instead (our error, or nothing at all).
 */
export function recordedResponse(
  capture: Capture,
  redactor: Redactor,
  gatewayReply: ErrorReply | null,
): RecordedResponse {
  if (capture.status === null)
    return gatewayReply
      ? { status: gatewayReply.status, headers: gatewayReply.headers, body: gatewayReply.body }
      : {
          status: 499,
          headers: {},
          bodyText: 'client closed the request before the upstream answered',
        };
  const headers = redactHeaders(capture.headers, redactor.headers, redactor.text);
  return capture.events
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

/** The request half of a call: what was sent, redacted, and the signature that matches it. */
export interface RequestPart {
  request: RecordedRequest;
  signature: Signature;
}

export function buildRequestPart(i: {
  route: Route;
  upstreamName: string;
  url: string;
  req: RequestHead;
  body: Buffer;
  redactor: Redactor;
}): RequestPart {
  const { redactor } = i;
  const reqHeaders = flattenHeaders(i.req.headers);
  const storedRequest = storeBody(i.body, reqHeaders['content-type']);
  const request: RecordedRequest = {
    method: i.req.method ?? 'GET',
    url: redactedUrl(i.url, redactor),
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
  const response = recordedResponse(capture, redactor, i.gatewayReply);
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

export function gatewayMessage(name: string, error: string | undefined): string {
  return `Tapedeck: upstream "${name}" could not be reached: ${error ?? 'unknown error'}`;
}
