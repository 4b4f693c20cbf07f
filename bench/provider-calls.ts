import type { Usage } from '../shared/schema.js';

/** What one model turn looks like before it is put on a provider's wire. */
export interface Turn {
  /** Provider-style response id suffix; unique per call. */
  id: string;
  model: string;
  system: string;
  prompt: string;
  /** The reply as the chunks a stream would carry; joined for a non-streamed reply. */
  reply: string[];
  stream: boolean;
  /** Unix seconds, as providers put in their bodies. */
  created: number;
}

/** A turn in one provider's wire format: the request, and either a JSON reply or SSE payloads. */
export interface Wire {
  api: string;
  path: string;
  query: Record<string, string>;
  requestHeaders: Record<string, string>;
  requestBody: Record<string, unknown>;
  responseHeaders: Record<string, string>;
  body?: unknown;
  events?: SsePayload[];
  usage: Usage;
}

export interface SsePayload {
  event?: string;
  data: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function usageOf(turn: Turn, extra: Partial<Usage> = {}): Usage {
  return {
    inputTokens: tokens(turn.system) + tokens(turn.prompt),
    outputTokens: turn.reply.length,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    source: 'provider',
    ...extra,
  };
}

/** OpenAI chat completions; xAI and OpenRouter speak the same dialect with their own usage extras. */
export function openaiChat(turn: Turn, usageExtras: Record<string, unknown> = {}): Wire {
  const usage = usageOf(turn);
  const wireUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
    ...usageExtras,
  };
  const requestBody: Record<string, unknown> = {
    model: turn.model,
    messages: [
      { role: 'system', content: turn.system },
      { role: 'user', content: turn.prompt },
    ],
    temperature: 0.2,
  };
  const common = {
    api: 'chat.completions',
    path: '/v1/chat/completions',
    query: {},
    requestHeaders: { ...JSON_HEADERS, authorization: '[REDACTED]' },
    usage,
  };
  const id = `chatcmpl-${turn.id}`;
  if (!turn.stream) {
    return {
      ...common,
      requestBody,
      responseHeaders: { ...JSON_HEADERS, 'x-request-id': `req_${turn.id}` },
      body: {
        id,
        object: 'chat.completion',
        created: turn.created,
        model: turn.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: turn.reply.join(''),
              refusal: null,
              annotations: [],
            },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: wireUsage,
        service_tier: 'default',
        system_fingerprint: 'fp_bench0001',
      },
    };
  }
  const chunk = (
    delta: unknown,
    finish: string | null,
    extra: Record<string, unknown> = {},
  ): SsePayload => ({
    data: JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: turn.created,
      model: turn.model,
      system_fingerprint: 'fp_bench0001',
      choices:
        delta === undefined ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...extra,
    }),
  });
  return {
    ...common,
    requestBody: { ...requestBody, stream: true, stream_options: { include_usage: true } },
    responseHeaders: { ...SSE_HEADERS, 'x-request-id': `req_${turn.id}` },
    events: [
      chunk({ role: 'assistant', content: '', refusal: null }, null),
      ...turn.reply.map((content) => chunk({ content }, null)),
      chunk({}, 'stop'),
      chunk(undefined, null, { usage: wireUsage }),
      { data: '[DONE]' },
    ],
  };
}

export function openaiResponses(turn: Turn): Wire {
  const usage = usageOf(turn);
  const text = turn.reply.join('');
  const response = {
    id: `resp_${turn.id}`,
    object: 'response',
    created_at: turn.created,
    status: 'completed',
    model: turn.model,
    output: [
      {
        id: `msg_${turn.id}`,
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      },
    ],
    usage: {
      input_tokens: usage.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: usage.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
  };
  const requestBody: Record<string, unknown> = {
    model: turn.model,
    instructions: turn.system,
    input: turn.prompt,
  };
  const common = {
    api: 'responses',
    path: '/v1/responses',
    query: {},
    requestHeaders: { ...JSON_HEADERS, authorization: '[REDACTED]' },
    usage,
  };
  if (!turn.stream) {
    return { ...common, requestBody, responseHeaders: { ...JSON_HEADERS }, body: response };
  }
  const event = (type: string, payload: Record<string, unknown>): SsePayload => ({
    event: type,
    data: JSON.stringify({ type, ...payload }),
  });
  return {
    ...common,
    requestBody: { ...requestBody, stream: true },
    responseHeaders: { ...SSE_HEADERS },
    events: [
      event('response.created', { response: { ...response, status: 'in_progress', output: [] } }),
      ...turn.reply.map((delta) =>
        event('response.output_text.delta', { item_id: `msg_${turn.id}`, output_index: 0, delta }),
      ),
      event('response.completed', { response }),
    ],
  };
}

export function anthropicMessages(turn: Turn): Wire {
  const usage = usageOf(turn);
  const requestBody: Record<string, unknown> = {
    model: turn.model,
    max_tokens: 1024,
    system: turn.system,
    messages: [{ role: 'user', content: turn.prompt }],
  };
  const common = {
    api: 'messages',
    path: '/v1/messages',
    query: {},
    requestHeaders: {
      ...JSON_HEADERS,
      'x-api-key': '[REDACTED]',
      'anthropic-version': '2023-06-01',
    },
    usage,
  };
  const message = {
    id: `msg_${turn.id}`,
    type: 'message',
    role: 'assistant',
    model: turn.model,
    content: [{ type: 'text', text: turn.reply.join('') }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: usage.inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: usage.outputTokens,
    },
  };
  if (!turn.stream) {
    return {
      ...common,
      requestBody,
      responseHeaders: { ...JSON_HEADERS, 'request-id': `req_${turn.id}` },
      body: message,
    };
  }
  const event = (type: string, payload: Record<string, unknown>): SsePayload => ({
    event: type,
    data: JSON.stringify({ type, ...payload }),
  });
  return {
    ...common,
    requestBody: { ...requestBody, stream: true },
    responseHeaders: { ...SSE_HEADERS, 'request-id': `req_${turn.id}` },
    events: [
      event('message_start', {
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { ...message.usage, output_tokens: 1 },
        },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ...turn.reply.map((text) =>
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
      ),
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.outputTokens },
      }),
      event('message_stop', {}),
    ],
  };
}

export function geminiGenerate(turn: Turn): Wire {
  const usage = usageOf(turn);
  const usageMetadata = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: usage.outputTokens,
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  const candidate = (text: string, final: boolean): Record<string, unknown> => ({
    content: { parts: [{ text }], role: 'model' },
    ...(final ? { finishReason: 'STOP' } : {}),
    index: 0,
  });
  const requestBody: Record<string, unknown> = {
    systemInstruction: { parts: [{ text: turn.system }] },
    contents: [{ role: 'user', parts: [{ text: turn.prompt }] }],
    generationConfig: { temperature: 0.2 },
  };
  const method = turn.stream ? 'streamGenerateContent' : 'generateContent';
  const query: Record<string, string> = turn.stream ? { alt: 'sse' } : {};
  const common = {
    api: method,
    path: `/v1beta/models/${turn.model}:${method}`,
    query,
    requestHeaders: { ...JSON_HEADERS, 'x-goog-api-key': '[REDACTED]' },
    requestBody,
    usage,
  };
  if (!turn.stream) {
    return {
      ...common,
      responseHeaders: { ...JSON_HEADERS },
      body: {
        candidates: [candidate(turn.reply.join(''), true)],
        usageMetadata,
        modelVersion: turn.model,
        responseId: turn.id,
      },
    };
  }
  return {
    ...common,
    responseHeaders: { ...SSE_HEADERS },
    events: turn.reply.map((text, i) => {
      const final = i === turn.reply.length - 1;
      return {
        data: JSON.stringify({
          candidates: [candidate(text, final)],
          ...(final ? { usageMetadata } : {}),
          modelVersion: turn.model,
          responseId: turn.id,
        }),
      };
    }),
  };
}
