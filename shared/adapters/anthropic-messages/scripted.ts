/**
 * A scripted reply as Anthropic Messages sends it: a `message`, or with `"stream": true` the named
 * events from `message_start` to `message_stop` (the SDK dispatches on the `event:` name). Tool
 * arguments become `input` objects; streamed, they arrive as `input_json_delta` fragments.
 */
import type { RecordedResponse } from '../../schema.js';
import { tokenSplit, type ScriptedRequest, type ScriptedResponse } from '../../scripted-reply.js';
import { requestModelOf } from '../request-model.js';
import {
  argumentPieces,
  argumentsObject,
  bodyWantsStream,
  finishOf,
  hasText,
  jsonReply,
  scriptedModel,
  sseReply,
  textPieces,
  type OutEvent,
} from '../scripted-parts.js';

/** OpenAI's finish words in Anthropic's; Anthropic's own (`end_turn`, `pause_turn`…) pass. */
const STOP_REASON: Readonly<Record<string, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

export function stopReasonOf(reply: ScriptedResponse): string {
  const finish = finishOf(reply);
  return STOP_REASON[finish] ?? finish;
}

interface ToolUse {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export function scriptedAnthropic(reply: ScriptedResponse, req: ScriptedRequest): RecordedResponse {
  const id = `msg_tapedeck_${req.n}`;
  const model = scriptedModel(reply, req, requestModelOf);
  const text = hasText(reply) ? (reply.content ?? '') : null;
  const tools: ToolUse[] = (reply.toolCalls ?? []).map((t, i) => ({
    type: 'tool_use',
    id: t.id ?? `toolu_tapedeck_${req.n}_${i}`,
    name: t.name,
    input: argumentsObject(t.arguments, t.name),
  }));
  const stopReason = stopReasonOf(reply);
  const { prompt, completion } = tokenSplit(reply);
  const inputUsage = {
    input_tokens: prompt,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  const headers = { 'request-id': `req_tapedeck_${req.n}` };

  if (!bodyWantsStream(req.body)) {
    const content: unknown[] = [...(text === null ? [] : [{ type: 'text', text }]), ...tools];
    return jsonReply(
      {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { ...inputUsage, output_tokens: completion, service_tier: 'standard' },
      },
      headers,
    );
  }

  const events: OutEvent[] = [];
  const emit = (type: string, fields: Record<string, unknown> = {}) =>
    events.push({ event: type, data: { type, ...fields } });
  emit('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The count so far, as Anthropic's placeholder is; message_delta carries the final one.
      usage: { ...inputUsage, output_tokens: Math.min(1, completion), service_tier: 'standard' },
    },
  });
  let index = 0;
  if (text !== null) {
    emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
    emit('ping');
    for (const piece of textPieces(text))
      emit('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    emit('content_block_stop', { index });
    index++;
  }
  for (const tool of tools) {
    emit('content_block_start', { index, content_block: { ...tool, input: {} } });
    const json = JSON.stringify(tool.input);
    for (const partial of ['', ...argumentPieces(json)])
      emit('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: partial },
      });
    emit('content_block_stop', { index });
    index++;
  }
  emit('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { ...inputUsage, output_tokens: completion },
  });
  emit('message_stop');
  return sseReply(events, headers);
}
