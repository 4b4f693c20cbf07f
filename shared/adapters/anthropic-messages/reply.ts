/** The reply text a person reads: the text blocks, or the streamed `text_delta`s. */
import { arrayAt, isObject, objectAt, parseData, stringAt } from '../../providers/json.js';
import { replyBody } from '../../providers/reading.js';
import type { RecordedResponse } from '../../schema.js';
import { joinedOrNull } from '../blocks.js';

export function anthropicDeltaText(event: { data?: string }): string {
  const json = parseData(event.data);
  if (stringAt(json, 'type') !== 'content_block_delta') return '';
  return stringAt(objectAt(json, 'delta'), 'text') ?? '';
}

export function anthropicReplyText(response: RecordedResponse): string | null {
  if (response.stream) return joinedOrNull(response.stream.map(anthropicDeltaText));
  const body = replyBody(response);
  if (!isObject(body) || !Array.isArray(body['content'])) return null;
  return arrayAt(body, 'content')
    .filter((b) => stringAt(b, 'type') === 'text')
    .map((b) => stringAt(b, 'text') ?? '')
    .join('');
}
