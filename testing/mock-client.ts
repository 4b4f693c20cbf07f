/**
 * `mockClient`: ModelMesh's mock client for TypeScript, as a real SDK client over `createMockFetch`,
 * so replies go through the SDK's own parsing (streams included) and `.calls` records each request.
 * The SDKs are the user's dependencies, loaded on first use: `tapedeck/testing` imports without them.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ScriptedResponse } from '../shared/scripted-reply.js';
import {
  createMockFetch,
  type MockCall,
  type MockFetch,
  type MockSource,
  type SnapshotSource,
} from './mock-fetch.js';

// Types only: nothing of the SDKs is loaded unless a client is made.
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';

/**
 * `responses` or `snapshot`. With `snapshot`, the other options of `createMockFetch({ snapshot })`
 * (`timing`, `scenario`, `seed`, `upstreams`, `maxBodyBytes`, `log`) apply as they do there.
 */
export interface MockClientOptions extends Omit<SnapshotSource, 'snapshot'> {
  /** Replies in order, the last one repeating (ModelMesh's `responses`). */
  responses?: ScriptedResponse[];
  /** Or a snapshot folder, as `createMockFetch({ snapshot })` takes it. */
  snapshot?: string;
  /** Any other option of the SDK's constructor (`maxRetries`, `timeout`, `defaultHeaders`…). */
  clientOptions?: Record<string, unknown>;
}

/** What a mock client adds to the SDK's own client. */
export interface MockClientExtras {
  /** One entry per request: provider, model, messages or input, body, the reply's call. */
  readonly calls: MockCall[];
  readonly misses: MockFetch['misses'];
  /** Starts the replies (or the snapshot's sequences) over and forgets the calls. */
  reset(): void;
  /**
   * The fetch underneath, for assertions and `withMockFetch`. Not `fetch`: the SDK clients have a
   * private `fetch` of their own, and a public one beside it makes the client's type `never`.
   */
  readonly mockFetch: MockFetch;
  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

export type MockOpenAI = OpenAI & MockClientExtras;
export type MockAnthropic = Anthropic & MockClientExtras;

const require = createRequire(import.meta.url);

/**
 * The SDK's ES module, the one `import OpenAI from 'openai'` in the user's test gets: its classes
 * are the ones the test's `instanceof OpenAI.RateLimitError` checks against. A plain require() would
 * load the SDK's CommonJS build, a second copy with classes of its own. require() of the resolved
 * ES module (Node ≥ 20.19) keeps mockClient synchronous. Where that is refused (Jest's own module
 * system on Node 20 cannot require an ES module) the CommonJS build is what the test itself gets
 * too, so it is taken instead.
 */
function loadSdk<T>(name: string): T {
  let esmError: unknown = null;
  try {
    const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
    const esm = resolve?.(name);
    if (esm?.startsWith('file:')) return require(fileURLToPath(esm)) as T;
  } catch (e) {
    esmError = e;
  }
  try {
    return require(name) as T;
  } catch (e) {
    const why = esmError === null ? '' : ` (as an ES module: ${(esmError as Error).message})`;
    throw new Error(
      `tapedeck: mockClient needs the ${name} package in your project (npm install -D ${name}): ${(e as Error).message}${why}`,
      { cause: e },
    );
  }
}

function sourceOf(o: MockClientOptions): MockSource {
  const { responses, snapshot, clientOptions: _client, ...rest } = o;
  if (responses !== undefined && snapshot !== undefined)
    throw new TypeError('mockClient wants { responses: [...] } or { snapshot: DIR }, not both');
  // The snapshot's options were dropped here before: a scenario or timing given did nothing.
  if (snapshot !== undefined) return { ...rest, snapshot };
  if (responses !== undefined)
    return { responses, ...(rest.upstreams ? { upstreams: rest.upstreams } : {}) };
  throw new TypeError('mockClient wants { responses: [...] } or { snapshot: DIR }');
}

function withExtras<C extends object>(client: C, fetch: MockFetch): C & MockClientExtras {
  return Object.defineProperties(client, {
    calls: { get: () => fetch.calls },
    misses: { get: () => fetch.misses },
    reset: { value: () => fetch.reset() },
    mockFetch: { value: fetch },
    [Symbol.dispose]: { value: () => fetch[Symbol.dispose]() },
    [Symbol.asyncDispose]: { value: () => fetch[Symbol.asyncDispose]() },
  }) as C & MockClientExtras;
}

/** A real `openai` client answered by Tapedeck: `client.chat.completions.create(...)`, `client.responses.create(...)`. */
export function mockClient(options: MockClientOptions): MockOpenAI {
  const fetch = createMockFetch(sourceOf(options));
  const { OpenAI: Client } = loadSdk<{ OpenAI: typeof OpenAI }>('openai');
  const client = new Client({
    apiKey: 'tapedeck-test',
    maxRetries: 0,
    ...options.clientOptions,
    fetch,
  });
  return withExtras(client, fetch);
}

/** A real `@anthropic-ai/sdk` client answered by Tapedeck: `client.messages.create(...)`, `.stream(...)`. */
mockClient.anthropic = function anthropic(options: MockClientOptions): MockAnthropic {
  const fetch = createMockFetch(sourceOf(options));
  const { Anthropic: Client } = loadSdk<{ Anthropic: typeof Anthropic }>('@anthropic-ai/sdk');
  const client = new Client({
    apiKey: 'tapedeck-test',
    maxRetries: 0,
    ...options.clientOptions,
    fetch,
  });
  return withExtras(client, fetch);
};
