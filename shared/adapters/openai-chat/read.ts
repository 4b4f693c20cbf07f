/**
 * Chat Completions replies (OpenAI, xAI, OpenRouter, Groq and other OpenAI-compatible servers),
 * streamed or not.
 */
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
