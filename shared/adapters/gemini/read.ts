/** Gemini generateContent / streamGenerateContent replies (Google AI and Vertex AI). */
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
  joinText,
  replyBody,
  replyChunks,
  type Reading,
  type TokenCounts,
} from '../../providers/reading.js';

const COUNT_FIELDS = [
  'promptTokenCount',
  'candidatesTokenCount',
  'thoughtsTokenCount',
  'totalTokenCount',
];

export function geminiCounts(meta: JsonObject): TokenCounts {
  const thoughts = countAt(meta, 'thoughtsTokenCount');
  return {
    // Tool-use prompt tokens (search results fed back to the model) are billed as input;
    // thinking is billed as output. candidatesTokenCount is omitted when the reply is only thought.
    inputTokens: countAt(meta, 'promptTokenCount') + countAt(meta, 'toolUsePromptTokenCount'),
    outputTokens: countAt(meta, 'candidatesTokenCount') + thoughts,
    cacheReadTokens: countAt(meta, 'cachedContentTokenCount'),
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}

function partText(part: unknown, out: string[]): void {
  out.push(stringAt(part, 'text') ?? '');
  const call = objectAt(part, 'functionCall');
  if (call) out.push(stringAt(call, 'name') ?? '', JSON.stringify(call['args'] ?? {}));
  out.push(stringAt(objectAt(part, 'executableCode'), 'code') ?? '');
}

export function readGemini(response: RecordedResponse): Reading {
  const chunks = replyChunks(response).map((c) => c.json);
  let model: string | null = null;
  let meta: JsonObject | undefined;
  let bare: JsonObject | undefined;
  for (const chunk of chunks) {
    // Some Gemini versions answer with the resource name ("models/gemini-2.5-pro").
    model = stringAt(chunk, 'modelVersion')?.replace(/^models\//, '') ?? model;
    // Each streamed chunk carries the running totals, so the last one with counts is the final.
    const m = objectAt(chunk, 'usageMetadata');
    if (m && COUNT_FIELDS.some((k) => numberAt(m, k) !== undefined)) meta = m;
    else if (m) bare = m;
  }
  // A prompt blocked before the model ran (Vertex Model Armor) reports usageMetadata with no
  // counts: the provider's word is zero tokens, which beats an estimate.
  meta ??= bare;
  return {
    model,
    usage: meta ? geminiCounts(meta) : null,
    providerCostUsd: null,
    replyText() {
      // Each chunk of a stream carries the next fragment of the same parts: joined as they are.
      const perChunk: string[] = [];
      for (const chunk of chunks) {
        const out: string[] = [];
        for (const candidate of arrayAt(chunk, 'candidates')) {
          const content = objectAt(candidate, 'content');
          for (const part of arrayAt(content, 'parts')) if (isObject(part)) partText(part, out);
        }
        perChunk.push(joinText(out));
      }
      const streamed = response.stream !== undefined || Array.isArray(replyBody(response));
      return streamed ? perChunk.join('') : joinText(perChunk);
    },
  };
}
