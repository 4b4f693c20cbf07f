/**
 * Reading Cohere v2 chat replies. Non-streamed: `message.content[]` (`{type:'text', text}`),
 * `message.tool_plan`, `message.tool_calls[]` and `usage`. Streamed (SSE, each event's data has a
 * `type`): `message-start`, `content-start`/`content-delta`/`content-end`, `tool-plan-delta`,
 * `tool-call-start`/`tool-call-delta`/`tool-call-end`, and `message-end` whose `delta.usage`
 * holds the usage.
 *
 * Usage has two views: `billed_units` (what Cohere charges for, and what genai-prices prices by
 * default) and `tokens` (what the model processed, including the prompt template and tool
 * rendering Cohere does not bill). Tapedeck reads `billed_units`, and `tokens` only when a reply
 * has no billed units. `cached_tokens` is not split out: Cohere does not say whether billed input
 * includes it, and it bills no separate cache price.
 */
import { arrayAt, countAt, objectAt, stringAt, type JsonObject } from '../../providers/json.js';
import { joinText, replyChunks, type Reading, type TokenCounts } from '../../providers/reading.js';
import type { RecordedResponse } from '../../schema.js';

function counts(units: JsonObject): TokenCounts {
  return {
    inputTokens: countAt(units, 'input_tokens'),
    outputTokens: countAt(units, 'output_tokens'),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}

function hasTokens(u: JsonObject | undefined): u is JsonObject {
  return (
    u !== undefined &&
    (typeof u['input_tokens'] === 'number' || typeof u['output_tokens'] === 'number')
  );
}

export function cohereCounts(usage: JsonObject): TokenCounts | null {
  const billed = objectAt(usage, 'billed_units');
  if (hasTokens(billed)) return counts(billed);
  const tokens = objectAt(usage, 'tokens');
  return hasTokens(tokens) ? counts(tokens) : null;
}

/** An event's type: its data's `type`, else its SSE event name. */
export function cohereEventType(e: { event?: string }, json: unknown): string | undefined {
  return stringAt(json, 'type') ?? e.event;
}

function usageOf(response: RecordedResponse): JsonObject | undefined {
  let usage: JsonObject | undefined;
  for (const c of replyChunks(response)) {
    const u = response.stream
      ? cohereEventType(c, c.json) === 'message-end'
        ? objectAt(objectAt(c.json, 'delta'), 'usage')
        : undefined
      : objectAt(c.json, 'usage');
    if (u) usage = u;
  }
  return usage;
}

function parse(data: string | undefined): unknown {
  if (data === undefined) return undefined;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

/** The text one stream event adds: reply text, tool plan or tool arguments. */
export function cohereDeltaText(e: { event?: string; data?: string }, only?: 'text'): string {
  const json = parse(e.data);
  const message = objectAt(objectAt(json, 'delta'), 'message');
  switch (cohereEventType(e, json)) {
    case 'content-delta':
      return stringAt(objectAt(message, 'content'), 'text') ?? '';
    case 'tool-plan-delta':
      return only === 'text' ? '' : (stringAt(message, 'tool_plan') ?? '');
    case 'tool-call-start':
    case 'tool-call-delta':
      return only === 'text'
        ? ''
        : (stringAt(objectAt(objectAt(message, 'tool_calls'), 'function'), 'arguments') ?? '');
    default:
      return '';
  }
}

function bodyMessage(response: RecordedResponse): JsonObject | undefined {
  return response.stream ? undefined : objectAt(replyChunks(response)[0]?.json, 'message');
}

export function cohereReplyText(response: RecordedResponse): string | null {
  if (response.stream) {
    const text = response.stream.map((e) => cohereDeltaText(e, 'text')).join('');
    return text === '' ? null : text;
  }
  const texts = arrayAt(bodyMessage(response), 'content')
    .map((c) => stringAt(c, 'text'))
    .filter((t): t is string => t !== undefined);
  return texts.length > 0 ? texts.join('') : null;
}

function allText(response: RecordedResponse): string {
  if (response.stream) {
    const out: string[] = [];
    for (const e of response.stream) {
      out.push(cohereDeltaText(e));
      const json = parse(e.data);
      if (cohereEventType(e, json) === 'tool-call-start') {
        const fn = objectAt(
          objectAt(objectAt(objectAt(json, 'delta'), 'message'), 'tool_calls'),
          'function',
        );
        out.push(stringAt(fn, 'name') ?? '');
      }
    }
    return out.join('');
  }
  const message = bodyMessage(response);
  const out = [cohereReplyText(response) ?? '', stringAt(message, 'tool_plan') ?? ''];
  for (const call of arrayAt(message, 'tool_calls')) {
    const fn = objectAt(call, 'function');
    out.push(stringAt(fn, 'name') ?? '', stringAt(fn, 'arguments') ?? '');
  }
  return joinText(out);
}

export function readCohere(response: RecordedResponse): Reading {
  const usage = usageOf(response);
  return {
    model: null,
    usage: usage ? cohereCounts(usage) : null,
    providerCostUsd: null,
    replyText: () => allText(response),
  };
}
