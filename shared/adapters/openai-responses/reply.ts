/** The reply text a person reads: the `output_text` parts, or their streamed deltas. */
import { arrayAt, isObject, parseData, stringAt } from '../../providers/json.js';
import { replyBody } from '../../providers/reading.js';
import type { RecordedResponse } from '../../schema.js';
import { joinedOrNull } from '../blocks.js';

export function responsesDeltaText(event: { data?: string }): string {
  const json = parseData(event.data);
  return stringAt(json, 'type') === 'response.output_text.delta'
    ? (stringAt(json, 'delta') ?? '')
    : '';
}

function outputText(response: unknown): string[] {
  const texts: string[] = [];
  for (const item of arrayAt(response, 'output')) {
    for (const part of arrayAt(item, 'content')) {
      if (stringAt(part, 'type') === 'output_text') texts.push(stringAt(part, 'text') ?? '');
    }
  }
  return texts;
}

export function responsesReplyText(response: RecordedResponse): string | null {
  if (response.stream) return joinedOrNull(response.stream.map(responsesDeltaText));
  const body = replyBody(response);
  return isObject(body) && Array.isArray(body['output']) ? outputText(body).join('') : null;
}
