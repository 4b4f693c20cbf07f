/**
 * A scripted reply as the Responses API sends it: a `response` object, or with `"stream": true`
 * its lifecycle events (`event:` named, numbered by `sequence_number`). The Responses API has no
 * finish reason: `length` and `content_filter` make the response `incomplete` with that reason in
 * `incomplete_details`, and a stream then ends in `response.incomplete`.
 */
import { isObject } from '../../providers/json.js';
import type { RecordedResponse } from '../../schema.js';
import {
  tokenSplit,
  type ScriptedRequest,
  type ScriptedResponse,
  type TokenSplit,
} from '../../scripted-reply.js';
import { requestModelOf } from '../request-model.js';
import {
  argumentPieces,
  argumentsText,
  bodyWantsStream,
  finishOf,
  hasText,
  jsonReply,
  nowSeconds,
  scriptedModel,
  sseReply,
  textPieces,
  type OutEvent,
} from '../scripted-parts.js';

/** OpenAI's finish words → `incomplete_details.reason`; the API's own reasons pass as given. */
const INCOMPLETE: Readonly<Record<string, string>> = {
  length: 'max_output_tokens',
  content_filter: 'content_filter',
  max_output_tokens: 'max_output_tokens',
};

function usageOf(u: TokenSplit): Record<string, unknown> {
  return {
    input_tokens: u.prompt,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.completion,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.total,
  };
}

/** Request settings a real response echoes back, with the defaults it reports when unset. */
const ECHOED: readonly [string, unknown][] = [
  ['instructions', null],
  ['max_output_tokens', null],
  ['parallel_tool_calls', true],
  ['previous_response_id', null],
  ['temperature', 1],
  ['tool_choice', 'auto'],
  ['tools', []],
  ['top_p', 1],
  ['metadata', {}],
];

function echoed(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, fallback] of ECHOED)
    out[key] = isObject(body) && body[key] !== undefined ? body[key] : fallback;
  return out;
}

export function scriptedResponses(reply: ScriptedResponse, req: ScriptedRequest): RecordedResponse {
  const id = `resp_tapedeck_${req.n}`;
  const messageId = `msg_tapedeck_${req.n}`;
  const model = scriptedModel(reply, req, requestModelOf);
  const createdAt = nowSeconds();
  const text = hasText(reply) ? (reply.content ?? '') : null;
  const incomplete = INCOMPLETE[finishOf(reply)];
  const status = incomplete ? 'incomplete' : 'completed';
  const usage = usageOf(tokenSplit(reply));
  const headers = { 'x-request-id': `req_tapedeck_${req.n}` };

  const textPart = (t: string) => ({ type: 'output_text', annotations: [], logprobs: [], text: t });
  const message = (itemStatus: string, content: unknown[]) => ({
    id: messageId,
    type: 'message',
    status: itemStatus,
    role: 'assistant',
    content,
  });
  const calls = (reply.toolCalls ?? []).map((t, i) => ({
    id: `fc_tapedeck_${req.n}_${i}`,
    type: 'function_call',
    status: 'completed',
    arguments: argumentsText(t.arguments),
    call_id: t.id ?? `call_tapedeck_${req.n}_${i}`,
    name: t.name,
  }));
  // A message cut short is itself incomplete; its function calls were finished.
  const output: unknown[] = [
    ...(text === null ? [] : [message(status, [textPart(text)])]),
    ...calls,
  ];
  const responseObject = (
    s: string,
    out: unknown[],
    u: Record<string, unknown> | null,
  ): Record<string, unknown> => ({
    id,
    object: 'response',
    created_at: createdAt,
    status: s,
    background: false,
    error: null,
    incomplete_details: s === 'incomplete' ? { reason: incomplete } : null,
    model,
    output: out,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: !(isObject(req.body) && req.body['store'] === false),
    text: { format: { type: 'text' }, verbosity: 'medium' },
    truncation: 'disabled',
    usage: u,
    user: null,
    ...echoed(req.body),
  });

  if (!bodyWantsStream(req.body)) return jsonReply(responseObject(status, output, usage), headers);

  const events: OutEvent[] = [];
  const emit = (type: string, fields: Record<string, unknown>) =>
    events.push({ event: type, data: { type, sequence_number: events.length, ...fields } });

  emit('response.created', { response: responseObject('in_progress', [], null) });
  emit('response.in_progress', { response: responseObject('in_progress', [], null) });
  let outputIndex = 0;
  if (text !== null) {
    const at = { item_id: messageId, output_index: outputIndex, content_index: 0 };
    emit('response.output_item.added', {
      output_index: outputIndex,
      item: message('in_progress', []),
    });
    emit('response.content_part.added', { ...at, part: textPart('') });
    for (const delta of textPieces(text))
      emit('response.output_text.delta', { ...at, delta, logprobs: [] });
    emit('response.output_text.done', { ...at, text, logprobs: [] });
    emit('response.content_part.done', { ...at, part: textPart(text) });
    emit('response.output_item.done', {
      output_index: outputIndex,
      item: message(status, [textPart(text)]),
    });
    outputIndex++;
  }
  for (const call of calls) {
    const at = { item_id: call.id, output_index: outputIndex };
    emit('response.output_item.added', {
      output_index: outputIndex,
      item: { ...call, status: 'in_progress', arguments: '' },
    });
    for (const delta of argumentPieces(call.arguments))
      if (delta !== '') emit('response.function_call_arguments.delta', { ...at, delta });
    emit('response.function_call_arguments.done', { ...at, arguments: call.arguments });
    emit('response.output_item.done', { output_index: outputIndex, item: call });
    outputIndex++;
  }
  emit(incomplete ? 'response.incomplete' : 'response.completed', {
    response: responseObject(status, output, usage),
  });
  return sseReply(events, headers);
}
