/**
 * Token estimates for replies that carry no usage (a cut stream, a server that does not report
 * it), counted the way each provider builds the model's input: per-message framing, the system
 * prompt, tool definitions rendered as the model sees them, tool calls and results, and images by
 * the provider's published size rules (`images.ts`).
 *
 * Text is counted with o200k_base, exact only for recent OpenAI models; Claude and Gemini have no
 * public tokenizer, so for them it is an approximation. The framing constants were fitted to real
 * traffic (../shared/corpus, `test/estimate.test.ts` checks them); the measured error is in
 * docs/usage-and-cost.md. Estimated usage is always marked `source: 'estimated'`.
 *
 * This file holds what every family counts the same way; each adapter's `estimate.ts` holds its
 * family's framing.
 */
import { imageSizeOf, type ImageSize } from './images.js';
import { isObject, stringAt, type JsonObject } from './json.js';
import { joinText, type TokenCounts } from './reading.js';

/**
 * The text counter, installed by `./o200k.ts`, which whatever estimates imports (the recorder's
 * `analyze.ts`, tests). Every adapter carries `estimate`, but the mock and the UI never call it,
 * and loading the tokenizer's ranks takes most of a second: this keeps them out of both.
 */
let textCounter: ((text: string) => number) | null = null;

export function setTextCounter(count: (text: string) => number): void {
  textCounter = count;
}

export function countTextTokens(text: string): number {
  if (text === '') return 0;
  if (!textCounter) {
    throw new Error('token estimates need the tokenizer: import shared/providers/o200k.js first');
  }
  return textCounter(text);
}

/** Keys whose values are binary payloads, identifiers or enum tags, not text the model reads. */
const NOT_TEXT = new Set([
  'data',
  'url',
  'image_url',
  'file_data',
  'file_id',
  'fileUri',
  'mimeType',
  'mime_type',
  'media_type',
  'signature',
  'thoughtSignature',
  'thought_signature',
  'encrypted_content',
  'id',
  'call_id',
  'tool_call_id',
  'tool_use_id',
  'type',
  'role',
  'detail',
  'cache_control',
  'status',
]);

/** Long unbroken base64-looking runs are inline media; counting them would inflate estimates. */
function looksBinary(s: string): boolean {
  return s.startsWith('data:') || (s.length > 256 && /^[A-Za-z0-9+/=_-]+$/.test(s));
}

function collectText(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    if (!looksBinary(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectText(v, out);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) if (!NOT_TEXT.has(k)) collectText(v, out);
  }
}

/** The readable text anywhere inside a value (media, ids and tags skipped), counted. */
export function textTokens(value: unknown): number {
  const out: string[] = [];
  collectText(value, out);
  return countTextTokens(joinText(out));
}

/** Arguments and results travel as JSON text; a parsed object is counted as its JSON. */
export function jsonTokens(value: unknown): number {
  if (value === undefined || value === null) return 0;
  return countTextTokens(typeof value === 'string' ? value : JSON.stringify(value));
}

export function inlineSize(data: string | undefined): ImageSize | null {
  return data === undefined ? null : imageSizeOf(data);
}

/**
 * An adapter's `estimate` from its family's input count: the body's own `model` wins over the
 * one passed in, a bare string body is its own text, and the reply text is counted as output.
 */
export function estimator(
  inputTokens: (body: JsonObject) => number,
): (requestBody: unknown, replyText: string, model: string | null) => TokenCounts {
  return (body, replyText, model) => {
    let input: number;
    if (!isObject(body)) input = typeof body === 'string' ? countTextTokens(body) : 0;
    else input = inputTokens(model && !stringAt(body, 'model') ? { ...body, model } : body);
    return {
      inputTokens: input,
      outputTokens: countTextTokens(replyText),
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    };
  };
}

/** Requests that are one text to embed or complete (`input`, `prompt`), without framing. */
export function inputTextTokens(body: JsonObject): number {
  return textTokens(body['input'] ?? body['prompt']);
}
