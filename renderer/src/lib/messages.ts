/**
 * The conversation and reply of a recorded call as a person reads them, from the call's family
 * adapter (shared/adapters): the renderer knows no wire format itself. Anything an adapter does
 * not recognise stays visible in the raw body view.
 */
import type { ApiFamily, Message } from '../../../shared/adapters/adapter.js';
import { adapterOf, routeOfCall, type RoutedCall } from '../../../shared/adapters/registry.js';
import type { RecordedRequest, RecordedResponse, StreamEvent } from '../../../shared/schema.js';

export type { Block, BlockKind, Message } from '../../../shared/adapters/adapter.js';

/**
 * A plain-HTTP call (a count-tokens endpoint, a custom path) may still carry a model request:
 * its body's shape tells, tried from the most to the least specific shape.
 */
const BY_SHAPE: readonly ApiFamily[] = [
  'gemini',
  'openai-responses',
  'anthropic-messages',
  'openai-chat',
];

export function promptMessages(
  call: RoutedCall & { request: Pick<RecordedRequest, 'url' | 'body'> },
): Message[] | null {
  const { family } = routeOfCall(call);
  const body = call.request.body;
  const own = adapterOf(family).prompt(body);
  if (own || family !== 'http') return own;
  for (const shape of BY_SHAPE) {
    const messages = adapterOf(shape).prompt(body);
    if (messages) return messages;
  }
  return null;
}

export function replyText(call: RoutedCall & { response: RecordedResponse }): string | null {
  return adapterOf(routeOfCall(call).family).replyText(call.response);
}

/** The text each stream event adds to the reply, for the stream timeline. */
export function deltaTextOf(call: RoutedCall): (event: StreamEvent) => string {
  const adapter = adapterOf(routeOfCall(call).family);
  return (event) => adapter.deltaText(event);
}
