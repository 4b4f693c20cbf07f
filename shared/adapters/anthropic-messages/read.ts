/** Anthropic Messages replies, streamed (named SSE events) or not. */
import type { RecordedResponse } from '../../schema.js';
import {
  arrayAt,
  countAt,
  isObject,
  numberAt,
  objectAt,
  stringAt,
  type JsonObject,
} from '../../providers/json.js';
import {
  addCounts,
  joinText,
  replyChunks,
  zeroCounts,
  type ModelPart,
  type Reading,
  type TokenCounts,
} from '../../providers/reading.js';
import { anthropicParts } from '../../providers/iterations.js';

/**
 * Token counts of a Messages `usage` object: the sum of every pass in `usage.iterations` (compaction
 * and advisor passes included, see iterations.ts), else the top-level fields.
 */
export function anthropicCounts(usage: JsonObject, model: string | null): TokenCounts {
  return usageParts(usage, model).reduce((sum, p) => addCounts(sum, p.usage), zeroCounts());
}

function usageParts(usage: JsonObject, model: string | null): ModelPart[] {
  const thinking = countAt(objectAt(usage, 'output_tokens_details'), 'thinking_tokens');
  return anthropicParts(usage, model, thinking);
}

/**
 * Streams report input and cache counts in `message_start` and the final cumulative output in the
 * last `message_delta`; newer API versions repeat input and cache counts there as well, so a later
 * non-zero value wins, and structured fields (iterations, details) come from the latest event.
 */
function mergeStreamUsage(
  start: JsonObject | undefined,
  deltas: readonly JsonObject[],
): JsonObject | undefined {
  if (!start && deltas.length === 0) return undefined;
  const merged: JsonObject = { ...start };
  for (const d of deltas) {
    for (const [k, v] of Object.entries(d)) {
      if (typeof v === 'number') {
        if (v > 0 || numberAt(merged, k) === undefined) merged[k] = v;
      } else if (v !== null && v !== undefined) {
        merged[k] = v;
      }
    }
  }
  return merged;
}

function hasUsage(u: JsonObject | undefined): u is JsonObject {
  return (
    u !== undefined &&
    (numberAt(u, 'input_tokens') !== undefined || numberAt(u, 'output_tokens') !== undefined)
  );
}

function blockText(block: unknown, out: string[]): void {
  out.push(stringAt(block, 'text') ?? '', stringAt(block, 'thinking') ?? '');
  if (isObject(block) && block['input'] !== undefined && stringAt(block, 'name')) {
    out.push(stringAt(block, 'name') ?? '', JSON.stringify(block['input']));
  }
}

export function readAnthropic(response: RecordedResponse): Reading {
  const chunks = replyChunks(response);
  let model: string | null = null;
  let usage: JsonObject | undefined;
  if (response.stream) {
    let start: JsonObject | undefined;
    const deltas: JsonObject[] = [];
    for (const { json } of chunks) {
      const type = stringAt(json, 'type');
      if (type === 'message_start') {
        const message = objectAt(json, 'message');
        model = stringAt(message, 'model') ?? model;
        start = objectAt(message, 'usage') ?? start;
      } else if (type === 'message_delta') {
        const u = objectAt(json, 'usage');
        if (u) deltas.push(u);
      }
    }
    usage = mergeStreamUsage(start, deltas);
  } else {
    const body = chunks[0]?.json;
    model = stringAt(body, 'model') ?? null;
    usage = objectAt(body, 'usage');
  }
  const found = hasUsage(usage) ? usage : undefined;
  const parts = found ? usageParts(found, model) : [];
  return {
    model,
    usage: found ? parts.reduce((sum, p) => addCounts(sum, p.usage), zeroCounts()) : null,
    ...(parts.length > 1 ? { byModel: parts } : {}),
    providerCostUsd: null,
    replyText() {
      const out: string[] = [];
      // A stream's deltas are fragments of one text: joined as they are, not line by line.
      const streamed: string[] = [];
      for (const { json } of chunks) {
        for (const block of arrayAt(json, 'content')) blockText(block, out);
        blockText(objectAt(json, 'content_block'), out);
        const delta = objectAt(json, 'delta');
        streamed.push(
          stringAt(delta, 'text') ?? '',
          stringAt(delta, 'partial_json') ?? '',
          stringAt(delta, 'thinking') ?? '',
        );
      }
      return joinText([...out, streamed.join('')]);
    },
  };
}
