/**
 * The provider-adapter step of recording: from one captured exchange to the provider, api, model,
 * usage and cost written into the call file.
 */
import type { Route } from '../adapters/adapter.js';
import { adapterOf, providerOf, routeOf } from '../adapters/registry.js';
import type { RecordedRequest, RecordedResponse, Usage } from '../schema.js';
import { callCost, type Prices } from './cost.js';
import { parseData } from './json.js';
// Recording estimates usage for replies without it: this is where the tokenizer is loaded.
import './o200k.js';
import type { Reading } from './reading.js';

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
  /** Resolved once here and stored in the call file, so no reader looks at the path again. */
  route: Route;
  provider: string;
  api: string;
  model: string | null;
  usage: Usage | null;
  costUsd: number | null;
  costSource: 'provider' | 'price-table' | 'none';
}

/**
 * Replies that report a usage billed by another request when they report one at all: fetching a
 * stored or background response. Without one there is nothing of theirs to estimate.
 */
const USAGE_ELSEWHERE = new Set(['responses.retrieve']);

/** The reader's per-model split, its own model named as the call's when the reply left it out. */
function modelParts(reading: Reading, model: string | null): Pick<Usage, 'byModel'> {
  if (!reading.byModel || model === null) return {};
  return {
    byModel: reading.byModel.map((p) => ({ model: p.model === '' ? model : p.model, ...p.usage })),
  };
}

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
  const route = routeOf(ex.path);
  const adapter = adapterOf(route.family);
  const provider = providerOf(ex.upstream, route.family);
  const body = requestBody(ex.request);
  let model = adapter.requestModel(ex.path, body);
  const status = ex.response.status;
  let usage: Usage | null = null;
  let providerCostUsd: number | null = null;
  // Plain HTTP is not billed: nothing is read from its replies, nothing estimated.
  if (route.family !== 'http' && status < 400) {
    const reading = adapter.read(ex.response);
    model = reading.model ?? model;
    if (reading.usage) {
      usage = { ...reading.usage, source: 'provider', ...modelParts(reading, model) };
      providerCostUsd = reading.providerCostUsd;
    } else if (status >= 200 && status < 300 && !USAGE_ELSEWHERE.has(route.api)) {
      const replyText = reading.replyText() || plainReply(ex.response);
      usage = { ...adapter.estimate(body, replyText, model), source: 'estimated' };
    }
  }
  // The cost written now is a cache: readers derive it again with the prices current then.
  const { costUsd, costSource } = callCost(
    {
      provider,
      upstream: ex.upstream,
      model,
      usage,
      byModel: usage?.byModel,
      providerCostUsd,
      recordedAt: ex.at ?? new Date().toISOString(),
    },
    prices,
  );
  return { route, provider, api: route.api, model, usage, costUsd, costSource };
}
