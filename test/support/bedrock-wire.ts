/**
 * Real-shaped Bedrock Converse replies, shared by the adapter cases and the fake upstream. Shapes
 * follow the Bedrock Runtime API reference and the SDK's deserializer: a non-streamed reply is one
 * JSON body; a stream is one frame per event whose `:event-type` names it and whose payload is the
 * event's members (plus the `p` padding Bedrock adds against length side channels).
 */
export const MODEL_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';
export const MODEL_ARN =
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';

/** The path the AWS SDK requests: the model id URL-encoded (`:` → `%3A`, `/` → `%2F`). */
export function conversePath(modelId: string, stream: boolean): string {
  return `/model/${encodeURIComponent(modelId)}/${stream ? 'converse-stream' : 'converse'}`;
}

export const TEXT_REPLY = {
  metrics: { latencyMs: 412 },
  output: {
    message: {
      content: [{ text: 'Paris is the capital of France.' }],
      role: 'assistant',
    },
  },
  stopReason: 'end_turn',
  usage: {
    cacheReadInputTokens: 1024,
    cacheWriteInputTokens: 0,
    inputTokens: 18,
    outputTokens: 9,
    totalTokens: 1051,
  },
};

export const TOOL_REPLY = {
  metrics: { latencyMs: 655 },
  output: {
    message: {
      content: [
        { text: 'Let me check the weather.' },
        {
          toolUse: {
            input: { city: 'Paris', unit: 'celsius' },
            name: 'get_weather',
            toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
          },
        },
      ],
      role: 'assistant',
    },
  },
  stopReason: 'tool_use',
  usage: { inputTokens: 391, outputTokens: 58, totalTokens: 449 },
};

export interface WireEvent {
  type: string;
  payload: Record<string, unknown>;
}

const P = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';

/** A streamed reply: text, then a tool call whose input arrives in two pieces, then usage. */
export const STREAM_EVENTS: WireEvent[] = [
  { type: 'messageStart', payload: { p: P.slice(0, 10), role: 'assistant' } },
  {
    type: 'contentBlockDelta',
    payload: { contentBlockIndex: 0, delta: { text: 'Checking' }, p: P.slice(0, 20) },
  },
  {
    type: 'contentBlockDelta',
    payload: { contentBlockIndex: 0, delta: { text: ' the weather.' }, p: P.slice(0, 4) },
  },
  { type: 'contentBlockStop', payload: { contentBlockIndex: 0, p: P.slice(0, 30) } },
  {
    type: 'contentBlockStart',
    payload: {
      contentBlockIndex: 1,
      p: P.slice(0, 12),
      start: { toolUse: { name: 'get_weather', toolUseId: 'tooluse_Q2r5bWlPRkq8Wc9LxYl3Ag' } },
    },
  },
  {
    type: 'contentBlockDelta',
    payload: {
      contentBlockIndex: 1,
      delta: { toolUse: { input: '{"city": "Par' } },
      p: P.slice(0, 8),
    },
  },
  {
    type: 'contentBlockDelta',
    payload: { contentBlockIndex: 1, delta: { toolUse: { input: 'is"}' } }, p: P.slice(0, 16) },
  },
  { type: 'contentBlockStop', payload: { contentBlockIndex: 1, p: P.slice(0, 2) } },
  { type: 'messageStop', payload: { p: P.slice(0, 24), stopReason: 'tool_use' } },
  {
    type: 'metadata',
    payload: {
      metrics: { latencyMs: 803 },
      p: P.slice(0, 6),
      usage: { inputTokens: 402, outputTokens: 61, totalTokens: 463 },
    },
  },
];

export const STREAM_TEXT = 'Checking the weather.';

export const REQUEST = {
  messages: [{ content: [{ text: 'What is the weather in Paris?' }], role: 'user' }],
  system: [{ text: 'You are terse.' }],
  inferenceConfig: { maxTokens: 256 },
  toolConfig: {
    tools: [
      {
        toolSpec: {
          name: 'get_weather',
          description: 'Current weather for a city',
          inputSchema: {
            json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      },
    ],
  },
};
