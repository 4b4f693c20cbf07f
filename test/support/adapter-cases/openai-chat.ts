/** Chat Completions rows: shapes from ../shared/corpus (openai-chat, openrouter cassettes). */
import type { AdapterCase } from './case.js';

const json = { 'content-type': 'application/json' };
const sse = { 'content-type': 'text/event-stream' };

export const cases: AdapterCase[] = [
  {
    // Gemini's OpenAI-compatible endpoint answering with a tool call that has an empty id
    // (openai-chat/test_compatible_api_with_tool_calls_without_id.yaml).
    name: 'tool call, not streamed, behind a /v1beta/openai prefix',
    family: 'openai-chat',
    path: '/v1beta/openai/chat/completions',
    api: 'chat.completions',
    request: {
      messages: [{ content: 'What is the current time?', role: 'user' }],
      model: 'gemini-2.5-pro-preview-05-06',
      stream: false,
      tool_choice: 'auto',
      tools: [
        {
          function: {
            description: 'Get the current time.',
            name: 'get_current_time',
            parameters: { additionalProperties: false, properties: {}, type: 'object' },
          },
          type: 'function',
        },
      ],
    },
    model: 'gemini-2.5-pro-preview-05-06',
    response: {
      status: 200,
      headers: json,
      body: {
        choices: [
          {
            finish_reason: 'tool_calls',
            index: 0,
            message: {
              role: 'assistant',
              tool_calls: [
                {
                  function: { arguments: '{"zone":"UTC"}', name: 'get_current_time' },
                  id: '',
                  type: 'function',
                },
              ],
            },
          },
        ],
        created: 1748902365,
        id: '3SE-aKjdCcCEz7IPxpqjCA',
        model: 'gemini-2.5-pro-preview-05-06',
        object: 'chat.completion',
        usage: { completion_tokens: 12, prompt_tokens: 35, total_tokens: 109 },
      },
    },
    usage: {
      inputTokens: 35,
      outputTokens: 12,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: '',
    toolCalls: [{ name: 'get_current_time', arguments: { zone: 'UTC' } }],
  },
  {
    name: 'text, streamed with include_usage, OpenRouter prefix',
    family: 'openai-chat',
    path: '/api/v1/chat/completions',
    api: 'chat.completions',
    request: {
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    },
    model: 'openai/gpt-4o-mini',
    response: {
      status: 200,
      headers: sse,
      stream: [
        {
          at: 120,
          data: '{"id":"gen-1","object":"chat.completion.chunk","created":1750000000,"model":"openai/gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
        },
        {
          at: 130,
          data: '{"id":"gen-1","object":"chat.completion.chunk","created":1750000000,"model":"openai/gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Paris"},"finish_reason":null}]}',
        },
        {
          at: 140,
          data: '{"id":"gen-1","object":"chat.completion.chunk","created":1750000000,"model":"openai/gpt-4o-mini","choices":[{"index":0,"delta":{"content":"."},"finish_reason":"stop"}]}',
        },
        {
          at: 150,
          data: '{"id":"gen-1","object":"chat.completion.chunk","created":1750000000,"model":"openai/gpt-4o-mini","choices":[],"usage":{"prompt_tokens":24,"completion_tokens":2,"total_tokens":26,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}',
        },
        { at: 151, data: '[DONE]' },
      ],
    },
    usage: {
      inputTokens: 24,
      outputTokens: 2,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: 'Paris.',
    toolCalls: [],
  },
];
