/** The reply text a person reads: the first choice's message, or its streamed content deltas. */
import { arrayAt, isObject, objectAt, parseData } from '../../providers/json.js';
import { replyBody } from '../../providers/reading.js';
import type { RecordedResponse } from '../../schema.js';
import { joinedOrNull } from '../blocks.js';

function firstChoice(json: unknown): unknown {
  return arrayAt(json, 'choices')[0];
}

function contentOf(message: unknown): string {
  const content = isObject(message) ? message['content'] : undefined;
  return typeof content === 'string' ? content : '';
}

export function chatDeltaText(event: { data?: string }): string {
  const choice = firstChoice(parseData(event.data));
  return contentOf(objectAt(choice, 'delta') ?? objectAt(choice, 'message'));
}

export function chatReplyText(response: RecordedResponse): string | null {
  if (response.stream) return joinedOrNull(response.stream.map(chatDeltaText));
  const message = objectAt(firstChoice(replyBody(response)), 'message');
  return message ? contentOf(message) : null;
}
