/**
 * Real-shaped Cohere v2 chat replies (docs.cohere.com v2 chat reference and the cohere-ai SDK's
 * types), shared by the adapter cases and the fake upstream.
 */
export const MODEL = 'command-a-03-2025';

export const REQUEST = {
  model: MODEL,
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is the weather in Toronto?' },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: { type: 'object', properties: { location: { type: 'string' } } },
      },
    },
  ],
};

export const TEXT_REPLY = {
  id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
  finish_reason: 'COMPLETE',
  message: {
    role: 'assistant',
    content: [{ type: 'text', text: 'Toronto is sunny today.' }],
  },
  usage: {
    billed_units: { input_tokens: 17, output_tokens: 6 },
    tokens: { input_tokens: 503, output_tokens: 8 },
  },
};

export const TOOL_REPLY = {
  id: '0b1d5a4e-7c3f-4f7e-9b8a-1a2b3c4d5e6f',
  finish_reason: 'TOOL_CALL',
  message: {
    role: 'assistant',
    tool_plan: 'I will look up the weather in Toronto.',
    tool_calls: [
      {
        id: 'get_weather_1byjy32y4hvq',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"Toronto"}' },
      },
    ],
  },
  usage: {
    billed_units: { input_tokens: 37, output_tokens: 19 },
    tokens: { input_tokens: 1042, output_tokens: 44 },
  },
};

/** A streamed reply: text in two deltas, then a tool call in two argument pieces. */
export const STREAM_EVENTS: Record<string, unknown>[] = [
  {
    id: '29f14a5a-11de-4cae-9800-25e4747408ea',
    type: 'message-start',
    delta: {
      message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
    },
  },
  { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } },
  { type: 'content-delta', index: 0, delta: { message: { content: { text: 'Looking' } } } },
  { type: 'content-delta', index: 0, delta: { message: { content: { text: ' it up.' } } } },
  { type: 'content-end', index: 0 },
  {
    type: 'tool-call-start',
    index: 0,
    delta: {
      message: {
        tool_calls: {
          id: 'get_weather_nsz5zm3w56q3',
          type: 'function',
          function: { name: 'get_weather', arguments: '' },
        },
      },
    },
  },
  {
    type: 'tool-call-delta',
    index: 0,
    delta: { message: { tool_calls: { function: { arguments: '{"location":' } } } },
  },
  {
    type: 'tool-call-delta',
    index: 0,
    delta: { message: { tool_calls: { function: { arguments: '"Toronto"}' } } } },
  },
  { type: 'tool-call-end', index: 0 },
  {
    type: 'message-end',
    delta: {
      finish_reason: 'TOOL_CALL',
      usage: {
        billed_units: { input_tokens: 37, output_tokens: 21 },
        tokens: { input_tokens: 1042, output_tokens: 47 },
      },
    },
  },
];

export const STREAM_TEXT = 'Looking it up.';
