/**
 * The provider-adapter step of recording: from one captured exchange to the provider, api, model,
 * usage and cost written into the call file.
 */
import type { ProviderAdapter } from '../adapters/adapter.js';
import { bedrockConverseAdapter } from '../adapters/bedrock-converse/index.js';
import { cohereChatAdapter } from '../adapters/cohere-chat/index.js';
import type { RecordedRequest, RecordedResponse, Usage } from '../schema.js';
import { readAnthropic } from './anthropic.js';
import { callCost, type Prices } from './cost.js';
import { detectApi, modelFromPath, providerOf, type ApiFamily } from './detect.js';
import { estimateCounts } from './estimate.js';
import { readGemini } from './gemini.js';
import { parseData, stringAt } from './json.js';
import { readOpenAIChat, readOpenAIEmbeddings, readOpenAIResponses } from './openai.js';
import type { Reader } from './reading.js';

export interface Exchange {
  upstream: string;
  /** The path after the upstream name, without the query. */
  path: string;
  request: RecordedRequest;
  response: RecordedResponse;
  /** When the call was made (ISO 8601); dated table prices apply as of then. Default: now. */
  at?: string;
}

export interface Analysis {
  provider: string;
  api: string;
  model: string | null;
  usage: Usage | null;
  costUsd: number | null;
  costSource: 'provider' | 'price-table' | 'none';
}

const READERS: Readonly<Record<Exclude<ApiFamily, 'http'>, Reader>> = {
  'openai-chat': readOpenAIChat,
  'openai-responses': readOpenAIResponses,
  'anthropic-messages': readAnthropic,
  gemini: readGemini,
  'openai-embeddings': readOpenAIEmbeddings,
  'bedrock-converse': bedrockConverseAdapter.read,
  'cohere-chat': cohereChatAdapter.read,
};

/** The families that already have their whole adapter (the rest move there with the registry). */
const ADAPTERS: Partial<Record<ApiFamily, ProviderAdapter>> = {
  'bedrock-converse': bedrockConverseAdapter,
  'cohere-chat': cohereChatAdapter,
};

function requestBody(request: RecordedRequest): unknown {
  if (request.body !== undefined) return request.body;
  return request.bodyText !== undefined ? parseData(request.bodyText) : undefined;
}

/** A reply that is not JSON at all (some compatible servers answer text/plain) is its own text. */
function plainReply(response: RecordedResponse): string {
  const text = response.bodyText;
  return response.body === undefined && text !== undefined && parseData(text) === undefined
    ? text
    : '';
}

export function analyzeExchange(ex: Exchange, prices?: Prices): Analysis {
  const { family, api } = detectApi(ex.path);
  const provider = providerOf(ex.upstream, family);
  const body = requestBody(ex.request);
  const adapter = ADAPTERS[family];
  let model = adapter
    ? adapter.requestModel(ex.path, body)
    : (stringAt(body, 'model') ?? modelFromPath(ex.path));
  const status = ex.response.status;
  let usage: Usage | null = null;
  let providerCostUsd: number | null = null;
  if (family !== 'http' && status < 400) {
    const reading = READERS[family](ex.response);
    model = reading.model ?? model;
    if (reading.usage) {
      usage = { ...reading.usage, source: 'provider' };
      providerCostUsd = reading.providerCostUsd;
    } else if (status >= 200 && status < 300) {
      const replyText = reading.replyText() || plainReply(ex.response);
      const counts = adapter
        ? adapter.estimate(body, replyText, model)
        : estimateCounts(family, body, replyText, model);
      usage = { ...counts, source: 'estimated' };
    }
  }
  // The cost written now is a cache: readers derive it again with the prices current then.
  const { costUsd, costSource } = callCost(
    {
      provider,
      upstream: ex.upstream,
      model,
      usage,
      providerCostUsd,
      recordedAt: ex.at ?? new Date().toISOString(),
    },
    prices,
  );
  return { provider, api, model, usage, costUsd, costSource };
}
