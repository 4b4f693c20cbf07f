/**
 * Every adapter, in detection order, and the lookups the rest of Tapedeck uses instead of looking
 * at a path: `routeOf` for a live request, `routeOfCall` for a recorded one, `adapterOf` for the
 * family's behaviour. Adding a provider adds one line to `ADAPTERS`.
 */
import type { RecordedRequest, Signature } from '../schema.js';
import type { ApiFamily, ProviderAdapter, Route } from './adapter.js';
import { anthropicMessagesAdapter } from './anthropic-messages/index.js';
import { bedrockConverseAdapter } from './bedrock-converse/index.js';
import { cohereChatAdapter } from './cohere-chat/index.js';
import { barePath } from './detect-table.js';
import { geminiAdapter } from './gemini/index.js';
import { httpAdapter } from './http/index.js';
import { openaiChatAdapter } from './openai-chat/index.js';
import { openaiEmbeddingsAdapter } from './openai-embeddings/index.js';
import { openaiResponsesAdapter } from './openai-responses/index.js';

/** No two adapters detect the same path (test/adapter-contract.test.ts), so order only breaks ties. */
export const ADAPTERS: readonly ProviderAdapter[] = [
  openaiChatAdapter,
  openaiResponsesAdapter,
  anthropicMessagesAdapter,
  geminiAdapter,
  openaiEmbeddingsAdapter,
  bedrockConverseAdapter,
  cohereChatAdapter,
  httpAdapter,
];

const BY_FAMILY: ReadonlyMap<string, ProviderAdapter> = new Map(ADAPTERS.map((a) => [a.family, a]));

/** The family's adapter; plain HTTP for a family this build does not know. */
export function adapterOf(family: ApiFamily | string): ProviderAdapter {
  return BY_FAMILY.get(family) ?? httpAdapter;
}

/** `path`: after the upstream name; a query and trailing slashes are ignored. */
export function routeOf(path: string): Route {
  const q = path.indexOf('?');
  const noQuery = q < 0 ? path : path.slice(0, q);
  const bare = barePath(noQuery);
  for (const adapter of ADAPTERS) {
    const api = adapter.detect(bare);
    if (api !== null) return { family: adapter.family, api, path: noQuery };
  }
  return { family: 'http', api: 'http', path: noQuery };
}

const BUILTIN_PROVIDERS = new Set([
  'openai',
  'anthropic',
  'gemini',
  'xai',
  'openrouter',
  'bedrock',
  'cohere',
]);

export function providerOf(upstream: string, family: ApiFamily): string {
  return BUILTIN_PROVIDERS.has(upstream) ? upstream : adapterOf(family).compatibleProvider;
}

/**
 * The `api` names `tapedeck/1` recorders wrote, for v1 calls whose URL says nothing (a custom
 * upstream mounted at an unusual path). Frozen: newer call files store their `route`.
 */
const V1_API_FAMILY: ReadonlyMap<string, ApiFamily> = new Map([
  ['chat.completions', 'openai-chat'],
  ['responses', 'openai-responses'],
  ['responses.compact', 'openai-responses'],
  ['messages', 'anthropic-messages'],
  ['generateContent', 'gemini'],
  ['streamGenerateContent', 'gemini'],
  ['embeddings', 'openai-embeddings'],
]);

const WILDCARD = /[*?]/;

/** `https://host/v1/x?q` → `/v1/x`; a bare path loses only its query. */
function pathOfUrl(url: string): string {
  const noHost = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const end = noHost.search(/[?#]/);
  return end < 0 ? noHost : noHost.slice(0, end);
}

/** What a recorded call says about its route, in any format version. */
export interface RoutedCall {
  route?: { family: string; api: string; path: string } | undefined;
  api: string;
  request: Pick<RecordedRequest, 'url'>;
  signature?: Pick<Signature, 'path'> | undefined;
}

/**
 * The route stored at record time; for files written before it was stored: the signature's path
 * when literal, else the recorded URL's, and the recorded `api` when the path names no family.
 */
export function routeOfCall(call: RoutedCall): Route {
  if (call.route) {
    const family = BY_FAMILY.has(call.route.family) ? (call.route.family as ApiFamily) : 'http';
    return { family, api: call.route.api, path: call.route.path };
  }
  const sig = call.signature?.path;
  const path =
    typeof sig === 'string' && sig !== '' && !WILDCARD.test(sig)
      ? sig
      : pathOfUrl(call.request.url);
  const route = routeOf(path);
  const byApi = route.api === 'http' ? V1_API_FAMILY.get(call.api) : undefined;
  return byApi ? { family: byApi, api: call.api, path: route.path } : route;
}
