/**
 * Token estimates for replies that carry no usage (a cut stream, a server that does not report it).
 * o200k_base is exact only for recent OpenAI models; for every other model it is a rough count,
 * which is why estimated usage is always marked `source: 'estimated'`.
 */
// The per-encoding entry point is plain TypeScript with no Node imports, so it also runs in the UI.
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { isObject } from './json.js';
import { joinText, type TokenCounts } from './reading.js';

/** Text the user sent lives in these request fields (chat, Responses, Messages, Gemini). */
const REQUEST_TEXT_FIELDS = [
  'messages',
  'input',
  'instructions',
  'system',
  'prompt',
  'contents',
  'systemInstruction',
  'system_instruction',
];

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

export function requestText(body: unknown): string {
  if (!isObject(body)) return typeof body === 'string' ? body : '';
  const out: string[] = [];
  for (const field of REQUEST_TEXT_FIELDS) collectText(body[field], out);
  return joinText(out);
}

// Special-token markers inside user text are ordinary characters here, not an error.
const PLAIN = { disallowedSpecial: new Set<string>() };

export function countTextTokens(text: string): number {
  return text === '' ? 0 : countO200k(text, PLAIN);
}

export function estimateCounts(requestBody: unknown, replyText: string): TokenCounts {
  return {
    inputTokens: countTextTokens(requestText(requestBody)),
    outputTokens: countTextTokens(replyText),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}
