/**
 * OpenAI-style replies (OpenAI, xAI, OpenRouter and other OpenAI-compatible servers): Chat
 * Completions, Responses and Embeddings, streamed or not.
 */
import type { RecordedResponse } from '../schema.js';
import {
  arrayAt,
  countAt,
  isObject,
  numberAt,
  objectAt,
  stringAt,
  type JsonObject,
} from './json.js';
import { joinText, replyChunks, type Reading, type TokenCounts } from './reading.js';

/** xAI reports its exact charge in ticks of 1e-10 USD. */
const USD_PER_XAI_TICK = 1e-10;

/**
 * The charge an OpenAI-compatible provider reports inside `usage`: OpenRouter's `cost` (credits,
 * 1 credit = 1 USD; with your own key the upstream's bill comes on top), or xAI's
 * `cost_in_usd_ticks`.
 */
export function reportedCostUsd(usage: JsonObject): number | null {
  const cost = numberAt(usage, 'cost');
  if (cost !== undefined && cost >= 0) {
    const byok = usage['is_byok'] === true;
    const upstream = numberAt(objectAt(usage, 'cost_details'), 'upstream_inference_cost');
    return byok && upstream !== undefined && upstream > 0 ? cost + upstream : cost;
  }
  const ticks = numberAt(usage, 'cost_in_usd_ticks');
  if (ticks !== undefined && ticks >= 0) return ticks * USD_PER_XAI_TICK;
  return null;
}

function hasAnyCount(usage: JsonObject, keys: readonly string[]): boolean {
  return keys.some((k) => numberAt(usage, k) !== undefined);
}

// ---- Chat Completions ----

export function chatCounts(usage: JsonObject): TokenCounts {
  const prompt = objectAt(usage, 'prompt_tokens_details');
  const completion = objectAt(usage, 'completion_tokens_details');
  return {
    inputTokens: countAt(usage, 'prompt_tokens'),
    outputTokens: countAt(usage, 'completion_tokens'),
    // DeepSeek reports cache hits beside prompt_tokens instead of in the details object.
    cacheReadTokens: countAt(prompt, 'cached_tokens') || countAt(usage, 'prompt_cache_hit_tokens'),
    cacheWriteTokens: countAt(prompt, 'cache_write_tokens'),
    reasoningTokens: countAt(completion, 'reasoning_tokens'),
  };
}

function chatUsageOf(chunk: unknown): JsonObject | undefined {
  const usage = objectAt(chunk, 'usage') ?? objectAt(objectAt(chunk, 'x_groq'), 'usage');
  return usage && hasAnyCount(usage, ['prompt_tokens', 'completion_tokens']) ? usage : undefined;
}

function chatMessageText(message: unknown, out: string[]): void {
  if (!isObject(message)) return;
  const content = message['content'];
  if (typeof content === 'string') out.push(content);
  else for (const part of arrayAt(message, 'content')) out.push(stringAt(part, 'text') ?? '');
  for (const key of ['refusal', 'reasoning_content', 'reasoning'])
    out.push(stringAt(message, key) ?? '');
  const calls = [
    ...arrayAt(message, 'tool_calls'),
    ...(isObject(message['function_call']) ? [message] : []),
  ];
  for (const call of calls) {
    const fn = objectAt(call, 'function') ?? objectAt(call, 'function_call');
    out.push(stringAt(fn, 'name') ?? '', stringAt(fn, 'arguments') ?? '');
  }
}

export function readOpenAIChat(response: RecordedResponse): Reading {
  const chunks = replyChunks(response).map((c) => c.json);
  let model: string | null = null;
  let usage: JsonObject | undefined;
  for (const chunk of chunks) {
    model = stringAt(chunk, 'model') ?? model;
    usage = chatUsageOf(chunk) ?? usage;
  }
  return {
    model,
    usage: usage ? chatCounts(usage) : null,
    providerCostUsd: usage ? reportedCostUsd(usage) : null,
    replyText() {
      const out: string[] = [];
      // A stream's deltas are fragments of one text: joined as they are, not line by line.
      const streamed: string[] = [];
      for (const chunk of chunks) {
        for (const choice of arrayAt(chunk, 'choices')) {
          const delta = objectAt(choice, 'delta');
          if (delta) chatMessageText(delta, streamed);
          else chatMessageText(objectAt(choice, 'message'), out);
          (delta ? streamed : out).push(stringAt(choice, 'text') ?? '');
        }
      }
      return joinText([...out, streamed.join('')]);
    },
  };
}

// ---- Responses ----

export function responsesCounts(usage: JsonObject): TokenCounts {
  const input = objectAt(usage, 'input_tokens_details');
  const output = objectAt(usage, 'output_tokens_details');
  return {
    inputTokens: countAt(usage, 'input_tokens'),
    outputTokens: countAt(usage, 'output_tokens'),
    cacheReadTokens: countAt(input, 'cached_tokens'),
    cacheWriteTokens: countAt(input, 'cache_write_tokens'),
    reasoningTokens: countAt(output, 'reasoning_tokens'),
  };
}

function responsesOutputText(response: unknown, out: string[]): void {
  for (const item of arrayAt(response, 'output')) {
    for (const part of arrayAt(item, 'content')) {
      out.push(stringAt(part, 'text') ?? '', stringAt(part, 'refusal') ?? '');
    }
    for (const part of arrayAt(item, 'summary')) out.push(stringAt(part, 'text') ?? '');
    out.push(stringAt(item, 'name') ?? '', stringAt(item, 'arguments') ?? '');
    if (stringAt(item, 'type') === 'custom_tool_call') out.push(stringAt(item, 'input') ?? '');
  }
}

const RESPONSES_DELTAS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
  'response.custom_tool_call_input.delta',
]);

export function readOpenAIResponses(response: RecordedResponse): Reading {
  const chunks = replyChunks(response).map((c) => c.json);
  let model: string | null = null;
  let usage: JsonObject | undefined;
  let last: JsonObject | undefined;
  for (const chunk of chunks) {
    // A stream wraps the Response object in its lifecycle events; a plain reply is the object.
    const resp =
      objectAt(chunk, 'response') ?? (response.stream ? undefined : (chunk as JsonObject));
    if (!isObject(resp)) continue;
    last = resp;
    model = stringAt(resp, 'model') ?? model;
    const u = objectAt(resp, 'usage');
    if (u && hasAnyCount(u, ['input_tokens', 'output_tokens'])) usage = u;
  }
  return {
    model,
    usage: usage ? responsesCounts(usage) : null,
    providerCostUsd: usage ? reportedCostUsd(usage) : null,
    replyText() {
      const out: string[] = [];
      if (last && arrayAt(last, 'output').length > 0) {
        responsesOutputText(last, out);
      } else {
        const streamed: string[] = [];
        for (const chunk of chunks) {
          if (RESPONSES_DELTAS.has(stringAt(chunk, 'type') ?? ''))
            streamed.push(stringAt(chunk, 'delta') ?? '');
        }
        out.push(streamed.join(''));
      }
      return joinText(out);
    },
  };
}

// ---- Embeddings ----

export function readOpenAIEmbeddings(response: RecordedResponse): Reading {
  const body = replyChunks(response)[0]?.json;
  const usage = objectAt(body, 'usage');
  const found = usage && hasAnyCount(usage, ['prompt_tokens', 'total_tokens']) ? usage : undefined;
  return {
    model: stringAt(body, 'model') ?? null,
    usage: found
      ? {
          inputTokens: countAt(found, 'prompt_tokens') || countAt(found, 'total_tokens'),
          outputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 0,
        }
      : null,
    providerCostUsd: found ? reportedCostUsd(found) : null,
    replyText: () => '',
  };
}
