/**
 * The reply text a person reads: the first candidate's non-thought text parts. Every streamed
 * chunk (SSE, or the elements of a JSON-array stream) has the same shape, with the next fragment.
 */
import { arrayAt, isObject, objectAt, parseData } from '../../providers/json.js';
import { replyBody } from '../../providers/reading.js';
import type { RecordedResponse } from '../../schema.js';
import { joinedOrNull } from '../blocks.js';

/** null when the chunk has no candidate content at all. */
function chunkText(chunk: unknown): string | null {
  const content = objectAt(arrayAt(chunk, 'candidates')[0], 'content');
  if (!content) return null;
  return arrayAt(content, 'parts')
    .filter((p) => isObject(p) && typeof p['text'] === 'string' && p['thought'] !== true)
    .map((p) => (p as { text: string }).text)
    .join('');
}

export function geminiDeltaText(event: { data?: string }): string {
  return chunkText(parseData(event.data)) ?? '';
}

export function geminiReplyText(response: RecordedResponse): string | null {
  if (response.stream) return joinedOrNull(response.stream.map(geminiDeltaText));
  const body = replyBody(response);
  if (Array.isArray(body)) return joinedOrNull(body.map((c) => chunkText(c) ?? ''));
  return chunkText(body);
}
