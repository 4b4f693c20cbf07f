/**
 * Recording what the snapshot is missing, from the mock: `--record-misses` (a live request, its
 * reply streamed to the client as it arrives) and the desktop's *record it* (a kept request, no
 * client waiting). The exchange becomes a call file exactly as `tapedeck record` writes one
 * (proxy/recording.ts), with the next seq, and joins the running index before anyone is told.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { providerOf, routeOf } from '../../shared/adapters/registry.js';
import type { RecordMissResult } from '../../shared/mock-link.js';
import { providerError } from '../../shared/providers/errors.js';
import { Redactor } from '../../shared/redact.js';
import type { Call } from '../../shared/schema.js';
import { upstreamUrl, type Route } from '../../shared/upstreams.js';
import { PLACEHOLDER_KEY } from '../child-env.js';
import { DiscardReply, forward, type ReplySink } from '../forward.js';
import { sendJson } from '../http-util.js';
import { lastSeq, writeCallFile, type LoadedCall } from '../store/snapshot-store.js';
import type * as RecordingModule from '../recording.js';
import type { KeptRequest } from './kept-request.js';

// The recorder's analysis loads the tokenizer (most of a second): a mock loads it on its first
// recording, not at start (test/tokenizer-loading.test.ts).
let recordingModule: Promise<typeof RecordingModule> | null = null;
const recording = () => (recordingModule ??= import('../recording.js'));

export interface MissRecorderOptions {
  dir: string;
  upstreams: Readonly<Record<string, string>>;
  /** Where a provider's key comes from when the request carries none (or the placeholder). */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Makes the written call part of the running index; resolves once requests match it. */
  added(loaded: LoadedCall): Promise<void>;
}

/** What became of one recording attempt. */
export type Recording =
  /** Written and in the index. `status` is the upstream's. */
  | { kind: 'recorded'; loaded: LoadedCall; status: number }
  /** Forwarded (or tried) but not written; `status` is what the client was sent (0: nothing). */
  | { kind: 'failed'; status: number; reason: string }
  /** Not forwarded at all (no key, no upstream, a broken manifest): the caller answers the miss. */
  | { kind: 'unrecordable'; reason: string };

/** The provider's key variables, as `mock -- CMD` fills them with placeholders (child-env.ts). */
const KEY_VARS: Readonly<Record<string, readonly string[]>> = {
  openai: ['OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  xai: ['XAI_API_KEY'],
  openrouter: ['OPENROUTER_API_KEY'],
  cohere: ['CO_API_KEY'],
};

const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'] as const;

/** The same request (upstream, method, path, query and body bytes) gives the same key. */
export function recordKey(
  upstream: string,
  method: string,
  path: string,
  search: string,
  body: Buffer,
): string {
  const h = createHash('sha256').update(body).digest('hex');
  return `${upstream}\0${method.toUpperCase()}\0${path}\0${search}\0${h}`;
}

const isPlaceholder = (v: string) => v.includes(PLACEHOLDER_KEY);

function headerText(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * The headers and query to forward with: the request's own key when it carries a real one;
 * otherwise the provider's key from `env`, or the reason there is none. A placeholder is never
 * sent upstream: the provider would answer 401, and that answer would be recorded as the call.
 */
export function withCredentials(
  route: Route,
  headers: IncomingHttpHeaders,
  env: NodeJS.ProcessEnv,
): { ok: true; headers: IncomingHttpHeaders; search: string } | { ok: false; reason: string } {
  const query = new URLSearchParams(route.search);
  const present: string[] = [];
  for (const name of CREDENTIAL_HEADERS) {
    const v = headerText(headers[name]);
    if (v !== null && v.trim() !== '') present.push(v);
  }
  const queryKey = query.get('key');
  if (queryKey !== null && queryKey !== '') present.push(queryKey);
  if (present.length > 0 && !present.some(isPlaceholder))
    return { ok: true, headers, search: route.search };
  const provider = providerOf(route.name, routeOf(route.path).family);
  const vars = KEY_VARS[provider];
  // A provider without a key variable (Bedrock signs with AWS credentials): sent as it came.
  if (!vars) return { ok: true, headers, search: route.search };
  const key = vars.map((n) => (env[n] ?? '').trim()).find((v) => v !== '' && !isPlaceholder(v));
  if (!key)
    return {
      ok: false,
      reason: `the request carries ${present.length ? "Tapedeck's placeholder key" : 'no key'} and ${vars.join(' or ')} is not set in the mock's environment`,
    };
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of CREDENTIAL_HEADERS) delete out[name];
  if (provider === 'anthropic') out['x-api-key'] = key;
  else if (provider === 'gemini') out['x-goog-api-key'] = key;
  else out.authorization = `Bearer ${key}`;
  query.delete('key');
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return { ok: true, headers: out, search };
}

export class MissRecorder {
  private readonly dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  /** Recordings under way, by `recordKey`: the same request again waits for the first. */
  private readonly underWay = new Map<string, Promise<Recording>>();
  private seq = 0;

  constructor(private readonly opts: MissRecorderOptions) {}

  /** The recording of this request under way, if there is one. */
  pending(key: string): Promise<Recording> | undefined {
    return this.underWay.get(key);
  }

  /**
   * *Record it*: forwards a kept request once and writes the reply as a new call. When the same
   * request is being recorded already, its outcome is this one's: never two calls for one request.
   */
  async record(kept: KeptRequest): Promise<RecordMissResult> {
    const key = recordKey(kept.upstream, kept.method, kept.path, kept.search, kept.body);
    const route: Route = { name: kept.upstream, path: kept.path, search: kept.search };
    // Looked up and registered with no await between: a second ask finds the first.
    const out = await (this.pending(key) ??
      this.run(key, route, kept, kept.body, new DiscardReply(), null));
    if (out.kind !== 'recorded') return { ok: false, reason: out.reason };
    return { ok: true, call: out.loaded.call.id, file: out.loaded.file, status: out.status };
  }

  /**
   * `--record-misses`: forwards a live request, streaming the reply to `res`, and writes it.
   * The caller checks `pending` first (and waits) so the same request is not recorded twice.
   */
  live(
    key: string,
    route: Route,
    head: { method: string; headers: IncomingHttpHeaders },
    body: Buffer,
    res: ServerResponse,
  ): Promise<Recording> {
    return this.run(key, route, head, body, res, res);
  }

  private run(
    key: string,
    route: Route,
    head: { method: string; headers: IncomingHttpHeaders },
    body: Buffer,
    sink: ReplySink,
    client: ServerResponse | null,
  ): Promise<Recording> {
    // Registered before the first await: a request arriving a moment later must find it.
    const running = this.attempt(route, head, body, sink, client).finally(() =>
      this.underWay.delete(key),
    );
    this.underWay.set(key, running);
    return running;
  }

  private async attempt(
    route: Route,
    head: { method: string; headers: IncomingHttpHeaders },
    body: Buffer,
    sink: ReplySink,
    client: ServerResponse | null,
  ): Promise<Recording> {
    const { dir, log } = this.opts;
    const base = this.opts.upstreams[route.name];
    if (!base) return { kind: 'unrecordable', reason: `no upstream "${route.name}" to forward to` };
    const cred = withCredentials(route, head.headers, this.opts.env);
    if (!cred.ok) return { kind: 'unrecordable', reason: cred.reason };
    const { buildCall, buildRequestPart, gatewayMessage, readManifest } = await recording();
    let redactor: Redactor;
    let prices;
    try {
      // Read now, as record reads it at start: its redaction must hold before anything is written.
      const manifest = await readManifest(dir);
      prices = manifest?.prices;
      redactor = new Redactor(manifest?.redact);
    } catch (e) {
      return { kind: 'unrecordable', reason: (e as Error).message };
    }
    const sent: Route = { ...route, search: cred.search };
    const url = upstreamUrl(base, sent);
    const forwardedHead = { method: head.method, headers: cred.headers };
    const capture = await forward({
      req: forwardedHead,
      res: sink,
      url,
      body,
      dispatcher: this.dispatcher,
    });
    const where = `${route.name} ${head.method} ${route.path}`;
    if (capture.status === null) {
      if (capture.outcome === 'aborted')
        return {
          kind: 'failed',
          status: 0,
          reason: 'the client left before the upstream answered',
        };
      const message = gatewayMessage(route.name, capture.error);
      if (client && !client.headersSent && !client.destroyed) {
        const family = routeOf(route.path).family;
        const err = providerError(family, providerOf(route.name, family), 'bad_gateway', message);
        sendJson(client, err.status, err.body, err.headers);
      }
      log(`tapedeck: ${where} NOT RECORDED: ${message}`);
      return { kind: 'failed', status: client?.headersSent ? 502 : 0, reason: message };
    }
    if (capture.outcome !== 'complete') {
      // A cut reply would replay as cut every time: it is not what the provider answers.
      const reason = `the reply did not complete (${capture.error ?? capture.outcome})`;
      log(`tapedeck: ${where} NOT RECORDED: ${reason}`);
      return { kind: 'failed', status: capture.status, reason };
    }
    let call: Call;
    let file: string;
    try {
      const seq = Math.max(this.seq, await lastSeq(dir)) + 1;
      this.seq = seq;
      const part = buildRequestPart({
        route: sent,
        upstreamName: route.name,
        url,
        req: forwardedHead,
        body,
        redactor,
      });
      call = buildCall({
        seq,
        route: sent,
        upstreamName: route.name,
        part,
        capture,
        redactor,
        prices,
        gatewayReply: null,
      });
      file = await writeCallFile(dir, call);
    } catch (e) {
      const reason = `the call could not be stored: ${(e as Error).message}`;
      log(`tapedeck: ${where} NOT RECORDED: ${reason}`);
      return { kind: 'failed', status: capture.status, reason };
    }
    const loaded: LoadedCall = { call, file };
    await this.opts.added(loaded);
    log(`tapedeck: recorded ${where} → ${capture.status} as ${file}`);
    return { kind: 'recorded', loaded, status: capture.status };
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
