/** Responses rows: shapes from ../shared/corpus (openai-responses cassettes). */
import type { AdapterCase } from './case.js';

const usage = (input: number, output: number, cached: number, reasoning: number) => ({
  input_tokens: input,
  input_tokens_details: { cached_tokens: cached },
  output_tokens: output,
  output_tokens_details: { reasoning_tokens: reasoning },
  total_tokens: input + output,
});

export const cases: AdapterCase[] = [
  {
    name: 'function call after reasoning, not streamed',
    family: 'openai-responses',
    path: '/v1/responses',
    api: 'responses',
    request: {
      model: 'gpt-5-mini',
      instructions: 'Use the tools.',
      input: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'Current weather for a city.',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
            additionalProperties: false,
          },
          strict: true,
        },
      ],
    },
    model: 'gpt-5-mini',
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        id: 'resp_68b0',
        object: 'response',
        created_at: 1756400000,
        status: 'completed',
        model: 'gpt-5-mini-2025-08-07',
        output: [
          { id: 'rs_1', type: 'reasoning', summary: [] },
          {
            id: 'fc_1',
            type: 'function_call',
            status: 'completed',
            arguments: '{"city":"Paris"}',
            call_id: 'call_abc',
            name: 'get_weather',
          },
        ],
        usage: usage(80, 150, 0, 128),
      },
    },
    usage: {
      inputTokens: 80,
      outputTokens: 150,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 128,
    },
    replyText: '',
    toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
  },
  {
    name: 'text, streamed (named lifecycle events), Azure prefix',
    family: 'openai-responses',
    path: '/openai/v1/responses',
    api: 'responses',
    request: { model: 'gpt-4.1-nano', input: 'Say hi.', stream: true },
    model: 'gpt-4.1-nano',
    response: {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      stream: [
        {
          at: 200,
          event: 'response.created',
          data: '{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-4.1-nano-2025-04-14","output":[],"usage":null}}',
        },
        {
          at: 260,
          event: 'response.output_text.delta',
          data: '{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}',
        },
        {
          at: 270,
          event: 'response.output_text.delta',
          data: '{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"!"}',
        },
        {
          at: 300,
          event: 'response.completed',
          data: JSON.stringify({
            type: 'response.completed',
            sequence_number: 3,
            response: {
              id: 'resp_1',
              object: 'response',
              status: 'completed',
              model: 'gpt-4.1-nano-2025-04-14',
              output: [
                {
                  id: 'msg_1',
                  type: 'message',
                  role: 'assistant',
                  content: [{ type: 'output_text', text: 'Hi!', annotations: [] }],
                },
              ],
              usage: usage(9, 3, 0, 0),
            },
          }),
        },
      ],
    },
    usage: {
      inputTokens: 9,
      outputTokens: 3,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: 'Hi!',
    toolCalls: [],
  },
];
