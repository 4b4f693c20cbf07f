/**
 * `createMockFetch` and `withMockFetch`: Tapedeck's mock inside the test process, as a `fetch`
 * for the SDKs' `fetch` option (or in place of `globalThis.fetch`). No port, no child process:
 * a request goes from the SDK through the mock's stages into a `Response` (docs/testing.md).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { adapterOf, providerOf, routeOf } from '../shared/adapters/registry.js';
import type { ScriptedResponse } from '../shared/scripted-reply.js';
import type { LoadError } from '../shared/schema.js';
import { TEST_HEADER, testHeaderValue } from '../shared/test-header.js';
import { routeOfUrl, type Route } from '../shared/upstreams.js';
import { sendJson } from '../proxy/http-util.js';
import { failReply, mockErrorBody } from '../proxy/mock/core.js';
import { FetchReply } from '../proxy/mock/fetch-reply.js';
import { parseTiming, type Timing } from '../proxy/replay.js';
import type { MockMiss, Replier } from './replier.js';
import { ScriptedReplier } from './scripted-replier.js';
import { SnapshotReplier } from './snapshot-replier.js';

export type { MockMiss } from './replier.js';
export type { ScriptedResponse, ScriptedToolCall } from '../shared/scripted-reply.js';

/** `recorded`, `instant` or `scale=FACTOR`, as `tapedeck mock --timing` takes it. */
export type TimingOption = Timing | 'recorded' | 'instant' | `scale=${number}`;

interface CommonSource {
  /** More upstreams by name and base URL (`--upstream NAME=URL`); the built-in ones are always known. */
  upstreams?: Record<string, string>;
}

export interface SnapshotSource extends CommonSource {
  /** A snapshot folder, as `tapedeck record` writes it. */
  snapshot: string;
  /** Default `instant`: a unit test does not wait out recorded latency (faults still delay). */
  timing?: TimingOption;
  scenario?: string;
  seed?: string;
  /** Request bodies over this many bytes get a 413 (default 32 MiB). */
  maxBodyBytes?: number;
  /** Where skipped-file lines go (default stderr); false for none. */
  log?: ((line: string) => void) | false;
}

export interface ResponsesSource extends CommonSource {
  /** Returned in order, the last one repeating, each in the wire format of the request's vendor. */
  responses: ScriptedResponse[];
}

export type MockSource = SnapshotSource | ResponsesSource;

/** One request the mock fetch received. */
export interface MockCall {
  /** `openai`, `anthropic`, `gemini`… or `openai-compatible` for a custom upstream. */
  provider: string;
  upstream: string;
  method: string;
  /** The path after the upstream's base URL, without the query. */
  path: string;
  /** The model the request names (body field or, for Gemini, the path). */
  model: string | null;
  /** The conversation: `messages` (OpenAI chat, Anthropic) or `contents` (Gemini). */
  messages: unknown;
  /** The Responses API's `input`. */
  input: unknown;
  /** The request body parsed (text when it is not JSON, undefined when empty). */
  body: unknown;
  /**
   * The recorded call that answered (its id), `responses[N]` for a scripted reply, `miss` when
   * nothing matched; null until the reply's headers are out (or when the client gave up first).
   */
  call: string | null;
  /** The status sent; 0 until then. */
  status: number;
  /** The `x-tapedeck-test` id it carried, null without one. */
  test: string | null;
}

export interface MockFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** One entry per request, in the order they were made. */
  readonly calls: MockCall[];
  /** The unmatched requests, oldest first (at most 200), with the mock's explanation. */
  readonly misses: MockMiss[];
  /** Snapshot files that could not be loaded, by name and reason (after `ready`). */
  readonly loadErrors: readonly LoadError[];
  /** Settles when the snapshot is loaded; rejects with the reason it cannot be. */
  readonly ready: Promise<void>;
  /** Whether a URL is one this mock answers (a known upstream's); withMockFetch sends others on. */
  handles(url: string | URL | Request): boolean;
  /** Starts over: sequences, fault counters, calls and misses. */
  reset(): void;
  /**
   * The same mock, with `x-tapedeck-test` on every request (the name, encoded when it is not
   * printable ASCII or too long): its own sequences, faults and misses.
   */
  forTest(name: string): MockFetch;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A timing option as `createMockFetch` and `startMock` take it: `instant` unless told. */
export const timingOf = (t: TimingOption | undefined): Timing =>
  t === undefined ? { mode: 'instant' } : typeof t === 'string' ? parseTiming(t) : t;

const stderrLine = (line: string): void => void process.stderr.write(line + '\n');

function replierOf(source: MockSource): Replier {
  if ('responses' in source) return new ScriptedReplier(source.responses, source.upstreams);
  if (typeof source?.snapshot !== 'string')
    throw new TypeError('createMockFetch wants { snapshot: DIR } or { responses: [...] }');
  const log = source.log === false ? () => undefined : (source.log ?? stderrLine);
  return new SnapshotReplier(source.snapshot, {
    timing: timingOf(source.timing),
    log,
    scenario: source.scenario,
    seed: source.seed,
    ...(source.upstreams ? { upstreams: source.upstreams } : {}),
    maxBodyBytes: source.maxBodyBytes,
  });
}

const hrefOf = (input: string | URL | Request): string =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

/** The request's headers as node:http would give them: lower-case names, one string each. */
function headersOf(
  input: string | URL | Request,
  init: RequestInit | undefined,
): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  const add = (h: RequestInit['headers']) => {
    if (!h) return;
    if (h instanceof Headers) h.forEach((v, k) => (out[k] = v));
    else if (Array.isArray(h))
      for (const pair of h) {
        const [k, v] = pair as [string, string];
        out[k.toLowerCase()] = v;
      }
    else
      for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  };
  if (input instanceof Request) add(input.headers);
  add(init?.headers);
  return out;
}

async function bodyOf(
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<Buffer> {
  const body = init?.body;
  if (body === undefined || body === null) {
    if (input instanceof Request && input.body) return Buffer.from(await input.arrayBuffer());
    return Buffer.alloc(0);
  }
  // The SDKs send JSON text: no Request (and no stream) is built for it.
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  return Buffer.from(await new Response(body).arrayBuffer());
}

function parsedBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

interface Shared {
  readonly replier: Replier;
  readonly calls: MockCall[];
  disposed: boolean;
}

export function createMockFetch(source: MockSource): MockFetch {
  const shared: Shared = { replier: replierOf(source), calls: [], disposed: false };
  return bound(shared, null);
}

function bound(shared: Shared, testId: string | null): MockFetch {
  const { replier } = shared;
  const routeFor = (input: string | URL | Request): Route | null =>
    routeOfUrl(hrefOf(input), replier.upstreams);

  const mockFetch = async (
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> => {
    if (shared.disposed) throw new TypeError('tapedeck: this mock fetch was disposed');
    const method = (
      init?.method ?? (input instanceof Request ? input.method : 'GET')
    ).toUpperCase();
    const headers = headersOf(input, init);
    if (testId !== null) headers[TEST_HEADER] = testId;
    const signal = init?.signal ?? (input instanceof Request ? input.signal : null);
    const raw = await bodyOf(input, init);
    const reply = new FetchReply(signal ?? null);
    const route = routeFor(input);
    if (!route) {
      sendJson(reply, 404, {
        error: {
          message: `Tapedeck: ${hrefOf(input)} is no known upstream's URL (add it with upstreams: { NAME: BASE_URL })`,
          type: 'tapedeck',
        },
      });
      return reply.response;
    }
    const { family } = routeOf(route.path);
    let parsed: { value: unknown } | null = null;
    const body = () => (parsed ??= { value: parsedBody(raw) }).value;
    const test = typeof headers[TEST_HEADER] === 'string' ? (headers[TEST_HEADER] as string) : null;
    const entry: MockCall = {
      provider: providerOf(route.name, family),
      upstream: route.name,
      method,
      path: route.path,
      // Parsed on first look: asserting on calls is rare next to making them.
      get model() {
        return adapterOf(family).requestModel(route.path, body());
      },
      get messages() {
        const b = body() as { messages?: unknown; contents?: unknown } | undefined;
        return b?.messages ?? b?.contents;
      },
      get input() {
        return (body() as { input?: unknown } | undefined)?.input;
      },
      get body() {
        return body();
      },
      call: null,
      status: 0,
      test,
    };
    shared.calls.push(entry);
    const answered = replier.answer(route, method, headers, raw, reply);
    // A failure of the mock itself (a snapshot that cannot load, a bug) answers a 500 that says
    // so, as the socket mock does: not a connection error that hides why. After the headers it
    // ends the body as a cut would, rather than leave a stream that never ends.
    answered.then(
      () => sendJson(reply, 500, mockErrorBody('the mock wrote no reply')),
      (e: unknown) => failReply(reply, e instanceof Error ? e.message : String(e)),
    );
    // Settled by the reply, its 500 (above), or the abort's error: never a hang.
    const response = await reply.response;
    entry.status = response.status;
    entry.call = response.headers.get('x-tapedeck-call') ?? 'miss';
    return response;
  };

  const fetchLike = mockFetch as MockFetch;
  Object.defineProperties(fetchLike, {
    calls: {
      get: () => (testId === null ? shared.calls : shared.calls.filter((c) => c.test === testId)),
    },
    misses: { get: () => replier.misses(testId ?? undefined) },
    loadErrors: { get: () => replier.loadErrors },
    ready: { get: () => replier.ready },
  });
  fetchLike.handles = (input) => routeFor(input) !== null;
  fetchLike.reset = () => {
    replier.reset(testId ?? undefined);
    if (testId === null) shared.calls.length = 0;
    else {
      const kept = shared.calls.filter((c) => c.test !== testId);
      shared.calls.splice(0, shared.calls.length, ...kept);
    }
  };
  fetchLike.forTest = (name: string) => bound(shared, testHeaderValue(name));
  fetchLike[Symbol.dispose] = () => {
    shared.disposed = true;
  };
  fetchLike[Symbol.asyncDispose] = () => {
    shared.disposed = true;
    return Promise.resolve();
  };
  return fetchLike;
}

/** The fetch installed while any withMockFetch runs, and what it replaced. */
interface Installed {
  readonly original: typeof fetch;
  readonly dispatch: typeof fetch;
  /** The mocks of the withMockFetch calls running now, oldest first. */
  readonly active: MockFetch[];
}
let installed: Installed | null = null;
/** The mock of the withMockFetch whose `fn` made the request (concurrent tests each have theirs). */
const current = new AsyncLocalStorage<MockFetch>();

/**
 * Runs `fn` with `globalThis.fetch` answering from the mock (for SDKs without a `fetch` option,
 * such as @google/genai); URLs of no known upstream go to the real fetch. Restored afterwards,
 * even when `fn` throws. Overlapping calls (concurrent tests) share one installed fetch that asks
 * the mock of the call the request came from, and the original comes back when the last one ends.
 */
export async function withMockFetch<T>(
  source: MockSource | MockFetch,
  fn: (mock: MockFetch) => T | Promise<T>,
): Promise<T> {
  const mock = typeof source === 'function' ? source : createMockFetch(source);
  if (installed === null) {
    const original = globalThis.fetch;
    const active: MockFetch[] = [];
    const dispatch = ((input: string | URL | Request, init?: RequestInit) => {
      // Outside any fn's async context (a timer set before it): the newest running mock.
      const m = current.getStore() ?? active.at(-1);
      return m?.handles(input) ? m(input, init) : original(input, init);
    }) as typeof fetch;
    installed = { original, dispatch, active };
    globalThis.fetch = dispatch;
  }
  const state = installed;
  state.active.push(mock);
  try {
    return await current.run(mock, () => fn(mock));
  } finally {
    state.active.splice(state.active.lastIndexOf(mock), 1);
    if (state.active.length === 0) {
      globalThis.fetch = state.original;
      installed = null;
    }
  }
}
