import type { Call, StreamEvent } from '../shared/schema.js';
import { BUILTIN_UPSTREAMS } from '../shared/upstreams.js';
import type { HttpRequest } from './http.js';
import type { Wire } from './provider-calls.js';
import { signatureOf } from '../shared/matching/signature.js';
import { routeOf } from '../shared/adapters/registry.js';

export interface CallEnvelope {
  seq: number;
  upstream: string;
  /** Base URL the call was recorded against; defaults to the built-in one for `upstream`. */
  upstreamUrl?: string;
  provider: string;
  model: string;
  wire: Wire;
  recordedAt: string;
  ttfbMs: number;
  /** Arrival of each stream event, ms since the request started; one per `wire.events` entry. */
  eventTimesMs?: number[];
  /** Non-streamed calls: when the body had arrived. */
  totalMs?: number;
  costUsd: number | null;
  costSource: Call['costSource'];
}

export function buildCall(e: CallEnvelope): Call {
  const base = e.upstreamUrl ?? BUILTIN_UPSTREAMS[e.upstream];
  if (!base) throw new Error(`no URL known for upstream "${e.upstream}"`);
  const search = new URLSearchParams(e.wire.query).toString();
  const url = base + e.wire.path + (search ? `?${search}` : '');

  let stream: StreamEvent[] | undefined;
  if (e.wire.events) {
    const times = e.eventTimesMs;
    if (!times || times.length !== e.wire.events.length) {
      throw new Error(`call ${e.seq}: need one arrival time per stream event`);
    }
    stream = e.wire.events.map((ev, i) => ({ at: times[i] as number, ...ev }));
  }
  const totalMs = stream ? (stream.at(-1)?.at ?? e.ttfbMs) : (e.totalMs ?? e.ttfbMs);

  return {
    id: `c_bench${e.seq.toString(36).padStart(7, '0')}`,
    seq: e.seq,
    recordedAt: e.recordedAt,
    upstream: e.upstream,
    provider: e.provider,
    api: e.wire.api,
    route: routeOf(e.wire.path),
    model: e.model,
    request: { method: 'POST', url, headers: e.wire.requestHeaders, body: e.wire.requestBody },
    response: {
      status: 200,
      headers: e.wire.responseHeaders,
      ...(stream ? { stream } : { body: e.wire.body }),
    },
    outcome: 'complete',
    timing: { ttfbMs: e.ttfbMs, totalMs },
    usage: e.wire.usage,
    costUsd: e.costUsd,
    costSource: e.costSource,
    signature: signatureOf({
      upstream: e.upstream,
      method: 'POST',
      path: e.wire.path,
      query: e.wire.query,
      body: e.wire.requestBody,
    }),
  };
}

/** `000042-openai-chat.completions-gpt-4o-mini.json`: sortable by seq, safe on every file system. */
export function callFileName(call: Call): string {
  const slug = [call.provider, call.api, call.model ?? 'none']
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${String(call.seq).padStart(6, '0')}-${slug}.json`;
}

/** The live request that should replay `call` through a Tapedeck listening at `tapedeckUrl`. */
export function replayRequest(call: Call, tapedeckUrl: string): HttpRequest {
  const recorded = new URL(call.request.url);
  const base = BUILTIN_UPSTREAMS[call.upstream];
  const basePath = base ? new URL(base).pathname.replace(/\/$/, '') : '';
  const rest = recorded.pathname.slice(basePath.length);
  return {
    method: call.request.method,
    url: `${tapedeckUrl}/${call.upstream}${rest}${recorded.search}`,
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
    body: JSON.stringify(call.request.body),
  };
}
