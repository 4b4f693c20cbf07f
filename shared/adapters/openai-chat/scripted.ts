/**
 * A scripted reply as Chat Completions sends it: a `chat.completion`, or with `"stream": true`
 * `chat.completion.chunk` events ending in `[DONE]`, with a usage chunk when the request sets
 * `stream_options.include_usage`. Finish reasons are OpenAI's own words, so they pass as given.
 */
import { isObject, objectAt } from '../../providers/json.js';
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

interface ChatToolCall {
  id: string;
  name: string;
  arguments: string;
}

function toolCallsOf(reply: ScriptedResponse, n: number): ChatToolCall[] {
  return (reply.toolCalls ?? []).map((t, i) => ({
    id: t.id ?? `call_tapedeck_${n}_${i}`,
    name: t.name,
    arguments: argumentsText(t.arguments),
  }));
}

function usageOf(u: TokenSplit): Record<string, unknown> {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.total,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function includeUsage(body: unknown): boolean {
  return isObject(body) && objectAt(body, 'stream_options')?.['include_usage'] === true;
}

export function scriptedChat(reply: ScriptedResponse, req: ScriptedRequest): RecordedResponse {
  const id = `chatcmpl-tapedeck-${req.n}`;
  const created = nowSeconds();
  const model = scriptedModel(reply, req, requestModelOf);
  const text = hasText(reply) ? (reply.content ?? '') : null;
  const tools = toolCallsOf(reply, req.n);
  const finish = finishOf(reply);
  const usage = usageOf(tokenSplit(reply));
  const headers = { 'x-request-id': `req_tapedeck_${req.n}` };

  if (!bodyWantsStream(req.body)) {
    const message: Record<string, unknown> = { role: 'assistant', content: text };
    if (tools.length > 0)
      message['tool_calls'] = tools.map((t) => ({
        id: t.id,
        type: 'function',
        function: { name: t.name, arguments: t.arguments },
      }));
    message['refusal'] = null;
    message['annotations'] = [];
    return jsonReply(
      {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage,
        service_tier: 'default',
      },
      headers,
    );
  }

  const withUsage = includeUsage(req.body);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    service_tier: 'default',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    // With include_usage every chunk but the last says `usage: null`; without it, none has the key.
    ...(withUsage ? { usage: null } : {}),
  });
  const events: OutEvent[] = [
    { data: chunk({ role: 'assistant', content: text === null ? null : '', refusal: null }) },
  ];
  for (const piece of textPieces(text ?? '')) events.push({ data: chunk({ content: piece }) });
  tools.forEach((t, index) => {
    events.push({
      data: chunk({
        tool_calls: [
          { index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } },
        ],
      }),
    });
    for (const piece of argumentPieces(t.arguments))
      if (piece !== '')
        events.push({ data: chunk({ tool_calls: [{ index, function: { arguments: piece } }] }) });
  });
  events.push({ data: chunk({}, finish) });
  if (withUsage)
    events.push({
      data: {
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        service_tier: 'default',
        choices: [],
        usage,
      },
    });
  events.push({ data: '[DONE]' });
  return sseReply(events, headers);
}
