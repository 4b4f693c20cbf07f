/**
 * The provider-adapter step of recording: from one captured exchange to the provider, api, model,
 * usage and cost written into the call file.
 */
import type { PriceOverride, RecordedRequest, RecordedResponse, Usage } from '../schema.js';
import { readAnthropic } from './anthropic.js';
import { tableCost } from './cost.js';
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

function noUsage(provider: string, api: string, model: string | null): Analysis {
  return { provider, api, model, usage: null, costUsd: null, costSource: 'none' };
}

export function analyzeExchange(ex: Exchange, prices?: Record<string, PriceOverride>): Analysis {
  const { family, api } = detectApi(ex.path);
  const provider = providerOf(ex.upstream, family);
  const body = requestBody(ex.request);
  const requestModel = stringAt(body, 'model') ?? modelFromPath(ex.path);
  const status = ex.response.status;
  if (family === 'http' || status >= 400) return noUsage(provider, api, requestModel);

  const reading = READERS[family](ex.response);
  const replyText = (): string => reading.replyText() || plainReply(ex.response);
  const model = reading.model ?? requestModel;
  let usage: Usage | null = null;
  if (reading.usage) {
    usage = { ...reading.usage, source: 'provider' };
  } else if (status >= 200 && status < 300) {
    usage = { ...estimateCounts(body, replyText()), source: 'estimated' };
  }
  if (!usage) return noUsage(provider, api, model);

  if (usage.source === 'provider' && reading.providerCostUsd !== null) {
    return {
      provider,
      api,
      model,
      usage,
      costUsd: reading.providerCostUsd,
      costSource: 'provider',
    };
  }
  const costUsd = tableCost(provider, model, usage, prices, ex.upstream);
  return {
    provider,
    api,
    model,
    usage,
    costUsd,
    costSource: costUsd === null ? 'none' : 'price-table',
  };
}
