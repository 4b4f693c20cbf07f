/**
 * `startMock`: a real `tapedeck mock` on a socket, started in the test process, for integration
 * tests (vitest or jest `globalSetup`, Playwright `webServer`). Its control API is spoken over
 * HTTP, so `forTest(url, id)` works from any worker that knows only the URL.
 */
import { fetch as undiciFetch } from 'undici';
import type { Miss } from '../proxy/mock/stats.js';
import type { RunningMock } from '../proxy/mock-server.js';
import { placeholderKeys, sdkEnv } from '../proxy/child-env.js';
import { mockStrictReport } from '../proxy/strict-report.js';
import { TEST_HEADER, testHeaderValue } from '../shared/test-header.js';
import { timingOf, type TimingOption } from './mock-fetch.js';

export interface StartMockOptions {
  /** The snapshot folder. */
  snapshot: string;
  /** Default `instant`, as in `createMockFetch`; `recorded` replays the recorded latency. */
  timing?: TimingOption;
  scenario?: string;
  seed?: string;
  /** `close()` rejects, listing them, when a request was unmatched or a snapshot file invalid. */
  strict?: boolean;
  /** Default 0: a free port (read `url`). */
  port?: number;
  host?: string;
  upstreams?: Record<string, string>;
  /** Reload on file changes (default true). */
  watch?: boolean;
  /** Where the mock's lines go (default stderr); false for none. One line per request with `logRequests`. */
  log?: ((line: string) => void) | false;
  logRequests?: boolean;
}

/** `/__tapedeck/stats`: per upstream requests, hits, misses, faults, cost avoided, retries. */
export interface MockStatsView {
  upstreams: Record<string, Record<string, unknown>>;
  openConnections: number;
  calls: number;
  unmatched: number;
  costAvoidedUsd: number;
  unused: string[];
  [key: string]: unknown;
}

/** One test's view of a shared mock: its header, a fetch that sends it, its reset and misses. */
export interface TestClient {
  /** The header's value: the test's name, encoded when it is not printable ASCII or too long. */
  readonly id: string;
  /** The mock's URL. */
  readonly url: string;
  /** For an SDK's `defaultHeaders`. */
  readonly headers: Readonly<Record<string, string>>;
  /** A fetch that adds the header (for an SDK's `fetch` option). */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** `POST /__tapedeck/reset?test=ID`: this test's sequences, faults and misses start over. */
  reset(): Promise<void>;
  misses(): Promise<Miss[]>;
  /** `GET /__tapedeck/stats?test=ID`: this test's requests and unmatched ones. */
  stats(): Promise<{ test: string; requests: number; unmatched: number }>;
}

export interface StartedMock {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Base URLs for the SDKs' `baseURL` / `baseUrl`. */
  readonly baseUrls: {
    openai: string;
    anthropic: string;
    gemini: string;
    xai: string;
    openrouter: string;
  };
  /** The SDKs' environment: base URL variables, and placeholder keys where none is set. */
  readonly env: Record<string, string>;
  stats(): Promise<MockStatsView>;
  misses(): Promise<Miss[]>;
  reset(): Promise<void>;
  forTest(id: string): TestClient;
  close(): Promise<void>;
}

export async function startMock(options: StartMockOptions): Promise<StartedMock> {
  if (typeof options?.snapshot !== 'string')
    throw new TypeError('startMock wants { snapshot: DIR }');
  const log =
    options.log === false
      ? () => undefined
      : (options.log ?? ((line: string) => void process.stderr.write(line + '\n')));
  // Loaded on first use: `tapedeck/testing` for unit tests never loads the server's modules.
  const { startMockServer } = await import('../proxy/mock-server.js');
  const server: RunningMock = await startMockServer({
    dir: options.snapshot,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    timing: timingOf(options.timing),
    strict: options.strict === true,
    watch: options.watch ?? true,
    logRequests: options.logRequests ?? false,
    log,
    scenario: options.scenario,
    seed: options.seed,
    ...(options.upstreams ? { upstreams: options.upstreams } : {}),
  });
  const { url } = server;
  let closing: Promise<void> | null = null;
  return {
    url,
    baseUrls: {
      openai: `${url}/openai/v1`,
      anthropic: `${url}/anthropic`,
      gemini: `${url}/gemini`,
      xai: `${url}/xai/v1`,
      openrouter: `${url}/openrouter/v1`,
    },
    env: { ...sdkEnv(url), ...placeholderKeys(process.env) },
    stats: () => getJson<MockStatsView>(`${url}/__tapedeck/stats`),
    misses: async () => (await getJson<{ misses: Miss[] }>(`${url}/__tapedeck/misses`)).misses,
    reset: () => post(`${url}/__tapedeck/reset`),
    forTest: (id) => forTest(url, id),
    close: () =>
      (closing ??= (async () => {
        const { unmatched, misses, loadErrors } = server;
        await server.close();
        if (options.strict && (unmatched > 0 || loadErrors.length > 0))
          throw new Error(mockStrictReport(unmatched, misses, loadErrors).join('\n'));
      })()),
  };
}

/** A test's client of the mock at `url` (from `startMock().url`, an env variable or `inject`). */
export function forTest(url: string, name: string): TestClient {
  if (typeof name !== 'string' || name === '')
    throw new TypeError('forTest wants a non-empty test name');
  const id = testHeaderValue(name);
  const base = url.replace(/\/+$/, '');
  const q = `?test=${encodeURIComponent(id)}`;
  const headers = Object.freeze({ [TEST_HEADER]: id });
  return {
    id,
    url: base,
    headers,
    fetch: (input, init) => {
      const h = new Headers(
        init?.headers ?? (input instanceof Request ? input.headers : undefined),
      );
      h.set(TEST_HEADER, id);
      return globalThis.fetch(input, { ...init, headers: h });
    },
    reset: () => post(`${base}/__tapedeck/reset${q}`),
    misses: async () => (await getJson<{ misses: Miss[] }>(`${base}/__tapedeck/misses${q}`)).misses,
    stats: () => getJson(`${base}/__tapedeck/stats${q}`),
  };
}

// undici's own fetch: a test that swapped globalThis.fetch for a mock still reaches the server.
async function getJson<T>(url: string): Promise<T> {
  const res = await undiciFetch(url);
  if (!res.ok) throw new Error(`tapedeck: GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

async function post(url: string): Promise<void> {
  const res = await undiciFetch(url, { method: 'POST' });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`tapedeck: POST ${url} answered ${res.status}`);
}
