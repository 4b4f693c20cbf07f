/**
 * Reading Bedrock Converse replies. Non-streamed: `output.message.content[]` blocks (`text`,
 * `toolUse`, `reasoningContent`) and `usage`. Streamed: one event per frame, named by its
 * `:event-type` (the payload carries no type of its own): `messageStart`, `contentBlockStart`,
 * `contentBlockDelta`, `contentBlockStop`, `messageStop`, then `metadata` with `usage`.
 */
import {
  arrayAt,
  isObject,
  objectAt,
  stringAt,
  countAt,
  type JsonObject,
} from '../../providers/json.js';
import { joinText, replyChunks, type Reading, type TokenCounts } from '../../providers/reading.js';
import type { RecordedResponse } from '../../schema.js';

/**
 * Bedrock's `inputTokens` leaves out cache reads and writes (as Anthropic's does); ours counts all
 * input, so both are added (genai-prices reads Bedrock usage the same way). `totalTokens` is their
 * sum with the output and adds nothing.
 */
export function bedrockCounts(usage: JsonObject): TokenCounts {
  const cacheRead = countAt(usage, 'cacheReadInputTokens');
  const cacheWrite = countAt(usage, 'cacheWriteInputTokens');
  return {
    inputTokens: countAt(usage, 'inputTokens') + cacheRead + cacheWrite,
    outputTokens: countAt(usage, 'outputTokens'),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: 0,
  };
}

function hasUsage(u: JsonObject | undefined): u is JsonObject {
  return (
    u !== undefined &&
    (typeof u['inputTokens'] === 'number' || typeof u['outputTokens'] === 'number')
  );
}

/** The `usage` of a reply: the body's, or the stream's `metadata` event's (the last one wins). */
export function bedrockUsage(response: RecordedResponse): JsonObject | undefined {
  let usage: JsonObject | undefined;
  for (const { event, json } of replyChunks(response)) {
    if (response.stream && event !== 'metadata') continue;
    const u = objectAt(json, 'usage');
    if (hasUsage(u)) usage = u;
  }
  return usage;
}

function contentBlocks(response: RecordedResponse): unknown[] {
  if (response.stream) return [];
  const body = replyChunks(response)[0]?.json;
  return arrayAt(objectAt(objectAt(body, 'output'), 'message'), 'content');
}

/** The text one stream event adds: text, tool input or reasoning. */
export function bedrockDeltaText(e: { event?: string; data?: string }, only?: 'text'): string {
  if (e.event !== 'contentBlockDelta' || e.data === undefined) return '';
  let json: unknown;
  try {
    json = JSON.parse(e.data);
  } catch {
    return '';
  }
  const delta = objectAt(json, 'delta');
  const text = stringAt(delta, 'text');
  if (text !== undefined || only === 'text') return text ?? '';
  return (
    stringAt(objectAt(delta, 'toolUse'), 'input') ??
    stringAt(objectAt(delta, 'reasoningContent'), 'text') ??
    ''
  );
}

/** What a person reads: the text blocks (streamed: the text deltas), null when there is none. */
export function bedrockReplyText(response: RecordedResponse): string | null {
  if (response.stream) {
    const text = response.stream.map((e) => bedrockDeltaText(e, 'text')).join('');
    return text === '' ? null : text;
  }
  const texts = contentBlocks(response)
    .map((b) => stringAt(b, 'text'))
    .filter((t): t is string => t !== undefined);
  return texts.length > 0 ? texts.join('') : null;
}

/** Everything the model wrote (text, reasoning, tool calls), for estimating output tokens. */
function allText(response: RecordedResponse): string {
  if (response.stream) {
    const out: string[] = [];
    for (const e of response.stream) {
      out.push(bedrockDeltaText(e));
      if (e.event === 'contentBlockStart' && e.data !== undefined) {
        try {
          out.push(
            stringAt(objectAt(objectAt(JSON.parse(e.data), 'start'), 'toolUse'), 'name') ?? '',
          );
        } catch {
          // a broken event adds nothing
        }
      }
    }
    return out.join('');
  }
  const out: string[] = [];
  for (const b of contentBlocks(response)) {
    if (!isObject(b)) continue;
    out.push(stringAt(b, 'text') ?? '');
    out.push(stringAt(objectAt(objectAt(b, 'reasoningContent'), 'reasoningText'), 'text') ?? '');
    const tool = objectAt(b, 'toolUse');
    if (tool) out.push(stringAt(tool, 'name') ?? '', JSON.stringify(tool['input'] ?? {}));
  }
  return joinText(out);
}

export function readBedrock(response: RecordedResponse): Reading {
  const usage = bedrockUsage(response);
  return {
    // Converse replies do not name the model; the path does (see requestModel).
    model: null,
    usage: usage ? bedrockCounts(usage) : null,
    providerCostUsd: null,
    replyText: () => allText(response),
  };
}
