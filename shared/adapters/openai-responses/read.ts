/** Responses API replies (`/responses`, `/responses/compact`), streamed or not. */
import {
  arrayAt,
  countAt,
  isObject,
  objectAt,
  stringAt,
  type JsonObject,
} from '../../providers/json.js';
import { joinText, replyChunks, type Reading, type TokenCounts } from '../../providers/reading.js';
import type { RecordedResponse } from '../../schema.js';
import { hasAnyCount, reportedCostUsd } from '../openai-common/usage.js';

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
