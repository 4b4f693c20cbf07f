/** Messages rows: shapes from ../shared/corpus (anthropic cassettes), spacing kept as sent. */
import type { AdapterCase } from './case.js';

export const cases: AdapterCase[] = [
  {
    // anthropic/test_request_stream_fallback_for_high_max_tokens.yaml
    name: 'text, streamed, usage repeated in message_delta',
    family: 'anthropic-messages',
    path: '/v1/messages',
    api: 'messages',
    request: {
      max_tokens: 64000,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is 1+1?' }] }],
      model: 'claude-sonnet-4-5',
      stream: true,
    },
    model: 'claude-sonnet-4-5',
    response: {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      stream: [
        {
          at: 300,
          event: 'message_start',
          data: '{"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_018E1hg8GoVTGEKQY3ovMcSJ","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard","inference_geo":"not_available"}}            }',
        },
        {
          at: 301,
          event: 'content_block_start',
          data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}        }',
        },
        { at: 302, event: 'ping', data: '{"type": "ping"}' },
        {
          at: 310,
          event: 'content_block_delta',
          data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"2"}      }',
        },
        {
          at: 311,
          event: 'content_block_stop',
          data: '{"type":"content_block_stop","index":0        }',
        },
        {
          at: 320,
          event: 'message_delta',
          data: '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":5}       }',
        },
        { at: 321, event: 'message_stop', data: '{"type":"message_stop"    }' },
      ],
    },
    usage: {
      inputTokens: 20,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: '2',
    toolCalls: [],
  },
  {
    name: 'text then a tool_use block, not streamed, with a cache read',
    family: 'anthropic-messages',
    path: '/v1/messages',
    api: 'messages',
    request: {
      model: 'claude-haiku-4-5',
      max_tokens: 1024,
      system: [
        { type: 'text', text: 'You are a weather bot.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather for a city.',
          input_schema: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          },
        },
      ],
    },
    model: 'claude-haiku-4-5',
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        id: 'msg_01Aq9w938a90dw8q',
        type: 'message',
        role: 'assistant',
        model: 'claude-haiku-4-5-20251001',
        content: [
          { type: 'text', text: 'Let me look that up.' },
          { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: {
          input_tokens: 400,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 1200,
          output_tokens: 55,
        },
      },
    },
    usage: {
      inputTokens: 1600,
      outputTokens: 55,
      cacheReadTokens: 1200,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: 'Let me look that up.',
    toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
  },
];
