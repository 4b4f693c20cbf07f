/**
 * Provider adapters: API detection, usage read from each family's replies and streams (fixtures
 * written from the documented wire formats), estimation, and error replies the official SDKs parse.
 */
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyzeExchange, type Exchange } from '../shared/providers/analyze.js';
import type { ApiFamily } from '../shared/adapters/adapter.js';
import { providerOf, routeOf } from '../shared/adapters/registry.js';
import { goDuration, providerError, type ErrorKind } from '../shared/providers/errors.js';
import type { RecordedResponse, StreamEvent } from '../shared/schema.js';

function sse(events: readonly (readonly [string | undefined, unknown])[]): StreamEvent[] {
  return events.map(([event, data], i) => ({
    at: i * 10,
    ...(event ? { event } : {}),
    data: typeof data === 'string' ? data : JSON.stringify(data),
  }));
}

function ex(
  upstream: string,
  path: string,
  requestBody: unknown,
  response: Partial<RecordedResponse>,
): Exchange {
  return {
    upstream,
    path,
    request: { method: 'POST', url: `https://example.test${path}`, headers: {}, body: requestBody },
    response: { status: 200, headers: {}, ...response },
  };
}

describe('routeOf', () => {
  it.each([
    ['/v1/chat/completions', 'openai-chat', 'chat.completions'],
    ['/api/v1/chat/completions', 'openai-chat', 'chat.completions'],
    ['/v1beta/openai/chat/completions', 'openai-chat', 'chat.completions'],
    ['/v1/responses', 'openai-responses', 'responses'],
    ['/openai/v1/responses', 'openai-responses', 'responses'],
    ['/v1/responses/compact', 'openai-responses', 'responses.compact'],
    ['/v1/responses/resp_123', 'openai-responses', 'responses.retrieve'],
    ['/v1/responses/input_tokens', 'http', 'responses.input_tokens'],
    ['/v1/messages', 'anthropic-messages', 'messages'],
    ['/v1/messages/count_tokens', 'http', 'messages.count_tokens'],
    ['/v1/threads/thread_1/messages', 'http', 'http'],
    ['/v1/embeddings', 'openai-embeddings', 'embeddings'],
    ['/v1beta/models/gemini-2.0-flash:generateContent', 'gemini', 'generateContent'],
    ['/v1beta/models/gemini-2.0-flash:streamGenerateContent', 'gemini', 'streamGenerateContent'],
    [
      '/v1beta1/projects/p/locations/global/publishers/google/models/gemini-2.5-pro:generateContent',
      'gemini',
      'generateContent',
    ],
    ['/v1beta/models/gemini-2.0-flash:countTokens', 'http', 'countTokens'],
    ['/v1/files', 'http', 'http'],
    ['/v1/chat/completions/chatcmpl-1', 'http', 'http'],
  ])('%s → %s %s', (path, family, api) => {
    expect(routeOf(path)).toEqual({ family, api, path });
  });

  it('ignores a query string and a trailing slash', () => {
    expect(routeOf('/v1beta/models/m:streamGenerateContent?alt=sse')).toEqual({
      family: 'gemini',
      api: 'streamGenerateContent',
      path: '/v1beta/models/m:streamGenerateContent',
    });
    expect(routeOf('/v1/chat/completions/').family).toBe('openai-chat');
  });
});

describe('providerOf', () => {
  it.each([
    ['openai', 'openai-chat', 'openai'],
    ['xai', 'openai-responses', 'xai'],
    ['xai', 'anthropic-messages', 'xai'],
    ['openrouter', 'openai-chat', 'openrouter'],
    ['gemini', 'openai-chat', 'gemini'],
    ['anthropic', 'http', 'anthropic'],
    ['groq', 'openai-chat', 'openai-compatible'],
    ['groq', 'openai-embeddings', 'openai-compatible'],
    ['proxy', 'anthropic-messages', 'anthropic'],
    ['vertex', 'gemini', 'gemini'],
    ['files', 'http', 'http'],
  ] as const)('%s + %s → %s', (upstream, family, provider) => {
    expect(providerOf(upstream, family as ApiFamily)).toBe(provider);
  });
});

describe('OpenAI chat completions', () => {
  const usage = {
    prompt_tokens: 1200,
    completion_tokens: 300,
    total_tokens: 1500,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 256, audio_tokens: 0 },
  };
  const expected = {
    inputTokens: 1200,
    outputTokens: 300,
    cacheReadTokens: 1024,
    cacheWriteTokens: 0,
    reasoningTokens: 256,
    source: 'provider',
  };

  it('reads usage and the reply model from a JSON reply', () => {
    const a = analyzeExchange(
      ex(
        'openai',
        '/v1/chat/completions',
        { model: 'o4-mini', messages: [{ role: 'user', content: 'hi' }] },
        {
          body: {
            id: 'chatcmpl-1',
            object: 'chat.completion',
            model: 'o4-mini-2025-04-16',
            choices: [
              { index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' },
            ],
            usage,
          },
        },
      ),
    );
    expect(a).toMatchObject({
      provider: 'openai',
      api: 'chat.completions',
      model: 'o4-mini-2025-04-16',
    });
    expect(a.usage).toEqual(expected);
  });

  it('reads the include_usage chunk of a stream', () => {
    const stream = sse([
      [
        undefined,
        {
          object: 'chat.completion.chunk',
          model: 'o4-mini-2025-04-16',
          choices: [{ delta: { content: 'Hel' } }],
          usage: null,
        },
      ],
      [
        undefined,
        {
          object: 'chat.completion.chunk',
          model: 'o4-mini-2025-04-16',
          choices: [{ delta: {}, finish_reason: 'stop' }],
          usage: null,
        },
      ],
      [
        undefined,
        { object: 'chat.completion.chunk', model: 'o4-mini-2025-04-16', choices: [], usage },
      ],
      [undefined, '[DONE]'],
    ]);
    const a = analyzeExchange(
      ex('openai', '/v1/chat/completions', { model: 'o4-mini', stream: true }, { stream }),
    );
    expect(a.usage).toEqual(expected);
    expect(a.model).toBe('o4-mini-2025-04-16');
  });

  it('takes OpenRouter cost as the provider cost, with cache writes', () => {
    const stream = sse([
      [
        undefined,
        { model: 'anthropic/claude-sonnet-4.5', choices: [{ delta: { content: 'ok' } }] },
      ],
      [
        undefined,
        {
          model: 'anthropic/claude-sonnet-4.5',
          choices: [],
          usage: {
            prompt_tokens: 5000,
            completion_tokens: 40,
            total_tokens: 5040,
            cost: 0.01234,
            is_byok: false,
            prompt_tokens_details: { cached_tokens: 3000, cache_write_tokens: 1500 },
            completion_tokens_details: { reasoning_tokens: 0 },
          },
        },
      ],
      [undefined, '[DONE]'],
    ]);
    const a = analyzeExchange(
      ex(
        'openrouter',
        '/v1/chat/completions',
        { model: 'anthropic/claude-sonnet-4.5' },
        { stream },
      ),
    );
    expect(a).toMatchObject({ provider: 'openrouter', costUsd: 0.01234, costSource: 'provider' });
    expect(a.usage).toMatchObject({
      inputTokens: 5000,
      cacheReadTokens: 3000,
      cacheWriteTokens: 1500,
      outputTokens: 40,
    });
  });

  it('adds the upstream bill to OpenRouter cost when the key is your own', () => {
    const body = {
      model: 'openai/gpt-4o',
      choices: [],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 5,
        cost: 0.0001,
        is_byok: true,
        cost_details: { upstream_inference_cost: 0.002 },
      },
    };
    const a = analyzeExchange(ex('openrouter', '/v1/chat/completions', {}, { body }));
    expect(a.costUsd).toBeCloseTo(0.0021, 12);
    expect(a.costSource).toBe('provider');
  });

  it('converts xAI cost ticks to USD', () => {
    const body = {
      model: 'grok-4-0709',
      choices: [{ message: { content: 'hi' } }],
      usage: {
        prompt_tokens: 30,
        completion_tokens: 200,
        completion_tokens_details: { reasoning_tokens: 180 },
        cost_in_usd_ticks: 31_500_000,
      },
    };
    const a = analyzeExchange(ex('xai', '/v1/chat/completions', { model: 'grok-4' }, { body }));
    expect(a).toMatchObject({ provider: 'xai', model: 'grok-4-0709', costSource: 'provider' });
    expect(a.costUsd).toBeCloseTo(0.00315, 12);
    expect(a.usage?.reasoningTokens).toBe(180);
  });

  it('estimates a stream sent without include_usage from the request and reply text', () => {
    const stream = sse([
      [
        undefined,
        {
          model: 'gpt-4o-mini',
          choices: [{ delta: { role: 'assistant', content: 'The capital' } }],
        },
      ],
      [
        undefined,
        { model: 'gpt-4o-mini', choices: [{ delta: { content: ' of France is Paris.' } }] },
      ],
      [undefined, { model: 'gpt-4o-mini', choices: [{ delta: {}, finish_reason: 'stop' }] }],
      [undefined, '[DONE]'],
    ]);
    const req = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] },
      ],
    };
    const a = analyzeExchange(ex('openai', '/v1/chat/completions', req, { stream }));
    // ChatML: 3 per message + role + content, 3 to prime the reply; the deltas form one text.
    expect(a.usage).toEqual({
      inputTokens:
        3 +
        countTokens('system') +
        countTokens('Answer briefly.') +
        3 +
        countTokens('user') +
        countTokens('What is the capital of France?') +
        3,
      outputTokens: countTokens('The capital of France is Paris.'),
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      source: 'estimated',
    });
    expect(a.usage?.inputTokens).toBeGreaterThan(0);
    expect(a.costSource).toBe('price-table');
  });

  it('counts tool-call arguments when estimating, and an image by the image rule, not its base64', () => {
    const body = {
      model: 'gpt-4o',
      choices: [
        {
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
        },
      ],
    };
    const image = `data:image/png;base64,${'A'.repeat(5000)}`;
    const req = {
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather?' },
            { type: 'image_url', image_url: { url: image } },
          ],
        },
      ],
    };
    const a = analyzeExchange(ex('openai', '/v1/chat/completions', req, { body }));
    expect(a.usage?.source).toBe('estimated');
    // An image whose size cannot be read counts as 1024×1024 at high detail: 765 on gpt-4o.
    expect(a.usage?.inputTokens).toBe(3 + countTokens('user') + countTokens('Weather?') + 765 + 3);
    expect(a.usage?.outputTokens).toBe(countTokens('get_weather\n{"city":"Paris"}'));
  });

  it('estimates a plain-text reply from a compatible server from its text', () => {
    const a = analyzeExchange(
      ex(
        'demo',
        '/bin/chat/completions',
        { model: 'x', messages: [{ role: 'user', content: 'hi' }] },
        { bodyText: 'hello there' },
      ),
    );
    expect(a.usage).toMatchObject({
      source: 'estimated',
      outputTokens: countTokens('hello there'),
    });
  });
});

describe('OpenAI Responses', () => {
  const usage = {
    input_tokens: 2000,
    input_tokens_details: { cached_tokens: 1536 },
    output_tokens: 900,
    output_tokens_details: { reasoning_tokens: 640 },
    total_tokens: 2900,
  };
  const expected = {
    inputTokens: 2000,
    outputTokens: 900,
    cacheReadTokens: 1536,
    cacheWriteTokens: 0,
    reasoningTokens: 640,
    source: 'provider',
  };

  it('reads a JSON reply', () => {
    const body = {
      id: 'resp_1',
      object: 'response',
      model: 'o3-2025-04-16',
      status: 'completed',
      output: [],
      usage,
    };
    const a = analyzeExchange(
      ex('openai', '/v1/responses', { model: 'o3', input: 'hi' }, { body }),
    );
    expect(a).toMatchObject({ api: 'responses', model: 'o3-2025-04-16' });
    expect(a.usage).toEqual(expected);
  });

  it('reads response.completed of a stream', () => {
    const base = { id: 'resp_1', object: 'response', model: 'o3-2025-04-16', output: [] };
    const stream = sse([
      [
        'response.created',
        {
          type: 'response.created',
          sequence_number: 0,
          response: { ...base, status: 'in_progress', usage: null },
        },
      ],
      [
        'response.output_text.delta',
        { type: 'response.output_text.delta', sequence_number: 1, delta: 'Hi', item_id: 'msg_1' },
      ],
      [
        'response.completed',
        {
          type: 'response.completed',
          sequence_number: 2,
          response: { ...base, status: 'completed', usage },
        },
      ],
    ]);
    const a = analyzeExchange(
      ex('openai', '/v1/responses', { model: 'o3', input: 'hi', stream: true }, { stream }),
    );
    expect(a.usage).toEqual(expected);
    expect(a.model).toBe('o3-2025-04-16');
  });

  it('reads response.incomplete too', () => {
    const stream = sse([
      [
        'response.incomplete',
        {
          type: 'response.incomplete',
          response: {
            model: 'gpt-5',
            status: 'incomplete',
            usage: { input_tokens: 7, output_tokens: 64 },
          },
        },
      ],
    ]);
    const a = analyzeExchange(
      ex('openai', '/v1/responses', { model: 'gpt-5', input: 'x' }, { stream }),
    );
    expect(a.usage).toMatchObject({ inputTokens: 7, outputTokens: 64, source: 'provider' });
  });

  it('estimates a cut stream from the deltas it did get', () => {
    const stream = sse([
      [
        'response.created',
        {
          type: 'response.created',
          response: { model: 'gpt-4.1', status: 'in_progress', usage: null, output: [] },
        },
      ],
      ['response.output_text.delta', { type: 'response.output_text.delta', delta: 'Once upon' }],
      ['response.output_text.delta', { type: 'response.output_text.delta', delta: ' a time' }],
    ]);
    const a = analyzeExchange(
      ex(
        'openai',
        '/v1/responses',
        { model: 'gpt-4.1', instructions: 'Tell a story.', input: 'About a fox' },
        { stream },
      ),
    );
    expect(a.usage).toMatchObject({
      source: 'estimated',
      inputTokens: 3 + 1 + countTokens('Tell a story.') + 3 + 1 + countTokens('About a fox') + 3,
      outputTokens: countTokens('Once upon a time'),
    });
    expect(a.model).toBe('gpt-4.1');
  });

  it('takes the model from the request when the reply names none (compaction)', () => {
    const body = {
      object: 'response.compaction',
      output: [],
      usage: { input_tokens: 156, output_tokens: 190 },
    };
    const a = analyzeExchange(
      ex('openai', '/v1/responses/compact', { model: 'gpt-4o-mini', input: [] }, { body }),
    );
    expect(a).toMatchObject({ api: 'responses.compact', model: 'gpt-4o-mini' });
    expect(a.usage).toMatchObject({ inputTokens: 156, outputTokens: 190, source: 'provider' });
  });
});

describe('Anthropic messages', () => {
  it('adds both cache fields to input_tokens', () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'Hi' }],
      stop_reason: 'end_turn',
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 2048,
        cache_read_input_tokens: 4096,
        output_tokens: 77,
        output_tokens_details: { thinking_tokens: 30 },
      },
    };
    const a = analyzeExchange(
      ex('anthropic', '/v1/messages', { model: 'claude-sonnet-4-5' }, { body }),
    );
    expect(a).toMatchObject({
      provider: 'anthropic',
      api: 'messages',
      model: 'claude-sonnet-4-5-20250929',
    });
    expect(a.usage).toEqual({
      inputTokens: 12 + 2048 + 4096,
      outputTokens: 77,
      cacheReadTokens: 4096,
      cacheWriteTokens: 2048,
      reasoningTokens: 30,
      source: 'provider',
    });
  });

  const start = {
    type: 'message_start',
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5-20251001',
      content: [],
      usage: {
        input_tokens: 25,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 1200,
        output_tokens: 1,
      },
    },
  };
  const body = (deltaUsage: Record<string, unknown>) =>
    sse([
      ['message_start', start],
      ['ping', { type: 'ping' }],
      [
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ],
      [
        'content_block_delta',
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
      ],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: deltaUsage },
      ],
      ['message_stop', { type: 'message_stop' }],
    ]);

  it('takes input from message_start and output from the last message_delta', () => {
    const a = analyzeExchange(
      ex(
        'anthropic',
        '/v1/messages',
        { model: 'claude-haiku-4-5' },
        { stream: body({ output_tokens: 42 }) },
      ),
    );
    expect(a.model).toBe('claude-haiku-4-5-20251001');
    expect(a.usage).toEqual({
      inputTokens: 25 + 300 + 1200,
      outputTokens: 42,
      cacheReadTokens: 1200,
      cacheWriteTokens: 300,
      reasoningTokens: 0,
      source: 'provider',
    });
  });

  it('prefers non-zero counts a newer message_delta repeats, and ignores its zeros', () => {
    const stream = body({
      input_tokens: 30,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 1200,
      output_tokens: 42,
    });
    const a = analyzeExchange(ex('anthropic', '/v1/messages', {}, { stream }));
    expect(a.usage).toMatchObject({
      inputTokens: 30 + 300 + 1200,
      cacheWriteTokens: 300,
      outputTokens: 42,
    });
  });

  it('sums the passes of a compacted request, another model’s advisor pass split out', () => {
    const iterations = [
      {
        type: 'compaction',
        input_tokens: 100,
        cache_read_input_tokens: 55096,
        cache_creation_input_tokens: 0,
        output_tokens: 83,
      },
      { type: 'advisor_message', model: 'claude-opus-4-1', input_tokens: 999, output_tokens: 99 },
      {
        type: 'message',
        input_tokens: 181,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
        output_tokens: 8,
      },
    ];
    const stream = body({
      input_tokens: 181,
      cache_read_input_tokens: 0,
      output_tokens: 8,
      iterations,
    });
    const a = analyzeExchange(ex('anthropic', '/v1/messages', {}, { stream }));
    expect(a.usage).toMatchObject({
      inputTokens: 100 + 55096 + 181 + 999,
      cacheReadTokens: 55096,
      outputTokens: 91 + 99,
      byModel: [
        expect.objectContaining({ inputTokens: 100 + 55096 + 181, outputTokens: 91 }),
        expect.objectContaining({ model: 'claude-opus-4-1', inputTokens: 999, outputTokens: 99 }),
      ],
    });
  });

  it('estimates a stream cut before message_start usage arrived', () => {
    const stream = sse([
      [
        'content_block_start',
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 't', name: 'lookup', input: {} },
        },
      ],
      [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: '{"q":"tapes"}' },
        },
      ],
    ]);
    const req = {
      model: 'claude-sonnet-4-5',
      system: 'Be useful.',
      messages: [{ role: 'user', content: 'Find tapes' }],
    };
    const a = analyzeExchange(ex('anthropic', '/v1/messages', req, { stream }));
    expect(a.model).toBe('claude-sonnet-4-5');
    expect(a.usage).toMatchObject({
      source: 'estimated',
      // The request's framing (7, fitted) around the system prompt and the message.
      inputTokens: 7 + countTokens('Be useful.') + countTokens('Find tapes'),
      outputTokens: countTokens('lookup\n{}\n{"q":"tapes"}'),
    });
  });
});

describe('Gemini', () => {
  it('counts thoughts as output and tool-use prompt as input; candidates may be missing', () => {
    const body = {
      candidates: [
        {
          content: { role: 'model', parts: [{ text: '', thought: true }] },
          finishReason: 'MAX_TOKENS',
        },
      ],
      usageMetadata: {
        promptTokenCount: 800,
        toolUsePromptTokenCount: 150,
        cachedContentTokenCount: 512,
        thoughtsTokenCount: 1000,
        totalTokenCount: 1950,
      },
      modelVersion: 'gemini-2.5-pro',
    };
    const a = analyzeExchange(
      ex('gemini', '/v1beta/models/gemini-2.5-pro:generateContent', { contents: [] }, { body }),
    );
    expect(a).toMatchObject({
      provider: 'gemini',
      api: 'generateContent',
      model: 'gemini-2.5-pro',
    });
    expect(a.usage).toEqual({
      inputTokens: 950,
      outputTokens: 1000,
      cacheReadTokens: 512,
      cacheWriteTokens: 0,
      reasoningTokens: 1000,
      source: 'provider',
    });
  });

  it('reads the last usageMetadata of a stream', () => {
    const chunk = (text: string, usage: Record<string, number>) => ({
      candidates: [{ content: { role: 'model', parts: [{ text }] } }],
      usageMetadata: usage,
      modelVersion: 'gemini-2.5-flash',
    });
    const stream = sse([
      [undefined, chunk('The', { promptTokenCount: 8, totalTokenCount: 8 })],
      [
        undefined,
        chunk(' answer', {
          promptTokenCount: 8,
          candidatesTokenCount: 12,
          thoughtsTokenCount: 40,
          totalTokenCount: 60,
        }),
      ],
    ]);
    const a = analyzeExchange(
      ex('gemini', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', {}, { stream }),
    );
    expect(a.usage).toMatchObject({
      inputTokens: 8,
      outputTokens: 52,
      reasoningTokens: 40,
      source: 'provider',
    });
    expect(a.api).toBe('streamGenerateContent');
  });

  it('takes the model from the path when the reply has no modelVersion, and estimates without usage', () => {
    const body = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [{ text: 'Bonjour' }, { functionCall: { name: 'f', args: { a: 1 } } }],
          },
        },
      ],
    };
    const req = {
      systemInstruction: { parts: [{ text: 'Speak French.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hello' }] }],
    };
    const a = analyzeExchange(
      ex('gemini', '/v1beta/models/gemini-2.0-flash:generateContent', req, { body }),
    );
    expect(a.model).toBe('gemini-2.0-flash');
    expect(a.usage).toMatchObject({
      source: 'estimated',
      inputTokens: countTokens('Speak French.') + countTokens('Hello'),
      outputTokens: countTokens('Bonjour\nf\n{"a":1}'),
    });
  });

  it('strips the models/ prefix some replies put on modelVersion', () => {
    const body = {
      candidates: [],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4 },
      modelVersion: 'models/gemini-2.5-pro',
    };
    expect(
      analyzeExchange(ex('gemini', '/v1beta/models/x:generateContent', {}, { body })).model,
    ).toBe('gemini-2.5-pro');
  });
});

describe('embeddings, plain HTTP and errors', () => {
  it('reads embeddings prompt tokens as input', () => {
    const body = {
      object: 'list',
      data: [],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 9, total_tokens: 9 },
    };
    const a = analyzeExchange(
      ex('openai', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'hello' }, { body }),
    );
    expect(a).toMatchObject({ api: 'embeddings', model: 'text-embedding-3-small' });
    expect(a.usage).toEqual({
      inputTokens: 9,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      source: 'provider',
    });
  });

  it('gives plain HTTP no usage, so it costs nothing', () => {
    const a = analyzeExchange(
      ex(
        'anthropic',
        '/v1/messages/count_tokens',
        { model: 'claude-haiku-4-5' },
        { body: { input_tokens: 12 } },
      ),
    );
    expect(a).toEqual({
      route: { family: 'http', api: 'messages.count_tokens', path: '/v1/messages/count_tokens' },
      provider: 'anthropic',
      api: 'messages.count_tokens',
      model: 'claude-haiku-4-5',
      usage: null,
      costUsd: 0,
      costSource: 'none',
    });
  });

  it('gives error replies no usage and no cost (not "no price"), even when the body looks like a reply', () => {
    const a = analyzeExchange(
      ex(
        'openai',
        '/v1/chat/completions',
        { model: 'gpt-4o' },
        {
          status: 429,
          body: {
            error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' },
            usage: { prompt_tokens: 5 },
          },
        },
      ),
    );
    expect(a).toMatchObject({ model: 'gpt-4o', usage: null, costUsd: 0, costSource: 'none' });
  });
});

describe('providerError', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');

  it.each([
    ['not_found', 404],
    ['invalid_request', 400],
    ['rate_limit', 429],
    ['server_error', 500],
    ['bad_gateway', 502],
    ['unavailable', 503],
    ['overloaded', 503],
  ] as const)('OpenAI %s → %i', (kind, status) => {
    const r = providerError('openai-chat', 'openai', kind, 'm', { now });
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toMatchObject({ error: { message: 'm', param: null } });
  });

  it('Anthropic overloaded is 529 overloaded_error; other families map overloaded to 503', () => {
    expect(providerError('anthropic-messages', 'anthropic', 'overloaded', 'busy').status).toBe(529);
    expect(providerError('gemini', 'gemini', 'overloaded', '').body).toEqual({
      error: {
        code: 503,
        message: 'The model is overloaded. Please try again later.',
        status: 'UNAVAILABLE',
      },
    });
    expect(providerError('http', 'http', 'overloaded', 'x').status).toBe(503);
  });

  it('honours an explicit status', () => {
    expect(
      providerError('anthropic-messages', 'anthropic', 'server_error', 'x', { status: 503 }).status,
    ).toBe(503);
  });

  it('OpenAI rate limit: type, code, retry-after and x-ratelimit headers with Go durations', () => {
    const r = providerError('openai-responses', 'openai', 'rate_limit', 'Rate limit reached', {
      retryAfterS: 2,
      now,
    });
    expect(r.body).toEqual({
      error: {
        message: 'Rate limit reached',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    expect(r.headers).toMatchObject({
      'retry-after': '2',
      'retry-after-ms': '2000',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '2s',
    });
    expect(r.headers['x-ratelimit-limit-requests']).toMatch(/^\d+$/);
    expect(r.headers['x-ratelimit-limit-tokens']).toMatch(/^\d+$/);
    expect(r.headers['x-ratelimit-remaining-tokens']).toMatch(/^\d+$/);
    expect(r.headers['x-ratelimit-reset-tokens']).toBe('0s');
    expect(r.headers['x-request-id']).toMatch(/^req_/);
  });

  it('not_found carries the no-match code', () => {
    expect(providerError('openai-chat', 'xai', 'not_found', 'no match').body).toEqual({
      error: {
        message: 'no match',
        type: 'invalid_request_error',
        param: null,
        code: 'tapedeck_no_match',
      },
    });
  });

  it('OpenRouter puts the integer status in error.code', () => {
    const r = providerError('openai-chat', 'openrouter', 'unavailable', 'No provider available');
    expect(r).toMatchObject({
      status: 503,
      body: { error: { code: 503, message: 'No provider available' } },
    });
  });

  it('Anthropic rate limit: request id in body and header, RFC 3339 reset from now', () => {
    const r = providerError('anthropic-messages', 'anthropic', 'rate_limit', 'Too many requests', {
      retryAfterS: 3,
      now,
    });
    const body = r.body as {
      type: string;
      error: { type: string; message: string };
      request_id: string;
    };
    expect(body.type).toBe('error');
    expect(body.error).toEqual({ type: 'rate_limit_error', message: 'Too many requests' });
    expect(r.headers['request-id']).toBe(body.request_id);
    expect(r.headers).toMatchObject({
      'retry-after': '3',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': '2026-03-01T12:00:03Z',
    });
    expect(r.headers['anthropic-ratelimit-requests-limit']).toMatch(/^\d+$/);
  });

  it.each([
    ['not_found', 'not_found_error'],
    ['invalid_request', 'invalid_request_error'],
    ['server_error', 'api_error'],
    ['overloaded', 'overloaded_error'],
  ] as const)('Anthropic %s → %s', (kind, type) => {
    expect(providerError('anthropic-messages', 'anthropic', kind, 'x').body).toMatchObject({
      error: { type },
    });
  });

  it('Gemini rate limit: RESOURCE_EXHAUSTED with RetryInfo', () => {
    const r = providerError('gemini', 'gemini', 'rate_limit', 'Quota exceeded', {
      retryAfterS: 22,
    });
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('22');
    expect(r.body).toEqual({
      error: {
        code: 429,
        message: 'Quota exceeded',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '22s' }],
      },
    });
  });

  it.each([
    ['not_found', 'NOT_FOUND'],
    ['invalid_request', 'INVALID_ARGUMENT'],
    ['server_error', 'INTERNAL'],
    ['unavailable', 'UNAVAILABLE'],
  ] as const)('Gemini %s → %s', (kind, status) => {
    expect(providerError('gemini', 'gemini', kind, 'x').body).toMatchObject({ error: { status } });
  });

  it('plain HTTP gets { error: { message, type } }', () => {
    expect(providerError('http', 'http', 'not_found', 'nothing here').body).toEqual({
      error: { message: 'nothing here', type: 'not_found' },
    });
  });

  it('is deterministic for the same inputs', () => {
    const a = providerError('anthropic-messages', 'anthropic', 'server_error', 'x', { now });
    const b = providerError('anthropic-messages', 'anthropic', 'server_error', 'x', { now });
    expect(a).toEqual(b);
  });

  it('formats Go durations', () => {
    expect([0, 0.25, 1, 1.5, 59, 90, 360, 3723].map(goDuration)).toEqual([
      '0s',
      '250ms',
      '1s',
      '1.5s',
      '59s',
      '1m30s',
      '6m0s',
      '1h2m3s',
    ]);
  });
});

describe('the official SDKs read providerError replies', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function fetchReturning(err: { status: number; headers: Record<string, string>; body: unknown }) {
    return () =>
      Promise.resolve(
        new Response(JSON.stringify(err.body), { status: err.status, headers: err.headers }),
      );
  }

  it('openai: RateLimitError with code and type, request id from the header', async () => {
    const err = providerError('openai-chat', 'openai', 'rate_limit', 'Rate limit reached', {
      retryAfterS: 1,
    });
    const client = new OpenAI({
      apiKey: 'k',
      baseURL: 'http://sdk.test/v1',
      maxRetries: 0,
      fetch: fetchReturning(err),
    });
    const thrown = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [] })
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(OpenAI.RateLimitError);
    const e = thrown as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.type).toBe('requests');
    expect(e.requestID).toBe(err.headers['x-request-id']);
    expect(e.message).toContain('Rate limit reached');
  });

  it('openai: NotFoundError for a no-match 404 from OpenRouter', () => {
    const err = providerError('openai-chat', 'openrouter', 'not_found', 'no recorded call');
    const e = OpenAI.APIError.generate(
      err.status,
      err.body as Record<string, unknown>,
      undefined,
      new Headers(err.headers),
    );
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.code).toBe(404);
    expect(e.message).toContain('no recorded call');
  });

  it('anthropic: OverloadedError with the error type and request id', async () => {
    const err = providerError('anthropic-messages', 'anthropic', 'overloaded', 'Overloaded');
    const client = new Anthropic({
      apiKey: 'k',
      baseURL: 'http://sdk.test',
      maxRetries: 0,
      fetch: fetchReturning(err),
    });
    const thrown = await client.messages
      .create({
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Anthropic.APIError);
    const e = thrown as InstanceType<typeof Anthropic.APIError>;
    expect(e.status).toBe(529);
    expect(e.constructor.name).toBe('OverloadedError');
    expect(e.type).toBe('overloaded_error');
    expect(e.requestID).toBe(err.headers['request-id']);
  });

  it('anthropic: RateLimitError type', () => {
    const err = providerError('anthropic-messages', 'anthropic', 'rate_limit', 'slow');
    const e = Anthropic.APIError.generate(
      err.status,
      err.body as Record<string, unknown>,
      undefined,
      new Headers(err.headers),
    );
    expect(e).toBeInstanceOf(Anthropic.RateLimitError);
    expect(e.type).toBe('rate_limit_error');
  });

  it('@google/genai: ApiError with the status and the JSON body as message', async () => {
    const err = providerError('gemini', 'gemini', 'rate_limit', 'Resource has been exhausted', {
      retryAfterS: 5,
    });
    vi.stubGlobal('fetch', vi.fn(fetchReturning(err)));
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: 'http://sdk.test' } });
    const thrown = await ai.models
      .generateContent({ model: 'gemini-2.0-flash', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ApiError);
    const e = thrown as ApiError;
    expect(e.status).toBe(429);
    expect(JSON.parse(e.message)).toEqual(err.body);
  });
});

describe('error kinds cover the schema fault statuses', () => {
  it.each([
    [500, 'server_error'],
    [502, 'bad_gateway'],
    [503, 'unavailable'],
    [529, 'overloaded'],
  ] as const)('%i via %s', (status, kind: ErrorKind) => {
    const family: ApiFamily = status === 529 ? 'anthropic-messages' : 'openai-chat';
    expect(providerError(family, status === 529 ? 'anthropic' : 'openai', kind, 'x').status).toBe(
      status,
    );
  });
});

describe('analyzeExchange on arbitrary replies', () => {
  const paths = [
    '/v1/chat/completions',
    '/v1/responses',
    '/v1/messages',
    '/v1beta/models/g%E0%A4%A:streamGenerateContent',
    '/v1beta/models/gemini-2.0-flash:generateContent',
    '/v1/embeddings',
    '/v1/files',
  ];
  // Shapes near the real ones, so the readers get past their first checks.
  const nearUsage = fc.record(
    {
      prompt_tokens: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
      input_tokens: fc.oneof(fc.integer(), fc.constant(null)),
      cache_read_input_tokens: fc.integer({ min: -5, max: 1e6 }),
      iterations: fc.array(fc.jsonValue(), { maxLength: 3 }),
      prompt_tokens_details: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );
  const doc = fc.oneof(
    fc.jsonValue(),
    fc.record(
      {
        type: fc.constantFrom(
          'message_start',
          'message_delta',
          'response.completed',
          'content_block_delta',
        ),
        model: fc.oneof(fc.string(), fc.integer()),
        usage: nearUsage,
        message: fc.record({ usage: nearUsage, model: fc.string() }, { requiredKeys: [] }),
        response: fc.record({ usage: nearUsage, output: fc.jsonValue() }, { requiredKeys: [] }),
        usageMetadata: fc.dictionary(
          fc.constantFrom('promptTokenCount', 'thoughtsTokenCount'),
          fc.jsonValue(),
        ),
        choices: fc.array(
          fc.record({ delta: fc.jsonValue(), message: fc.jsonValue() }, { requiredKeys: [] }),
        ),
        candidates: fc.jsonValue(),
        content: fc.jsonValue(),
      },
      { requiredKeys: [] },
    ),
  );
  const reply = fc.oneof(
    doc.map((body) => ({ body })),
    fc.string().map((bodyText) => ({ bodyText })),
    fc
      .array(
        fc.tuple(
          fc.option(fc.string(), { nil: undefined }),
          fc.oneof(
            doc.map((d) => JSON.stringify(d)),
            fc.string(),
          ),
        ),
      )
      .map((events) => ({ stream: sse(events) })),
  );

  it('never throws and yields finite, non-negative counts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.constantFrom('openai', 'openrouter', 'xai', 'groq', 'anthropic'),
        fc.constantFrom(200, 201, 302, 400, 500),
        fc.jsonValue(),
        reply,
        (path, upstream, status, requestBody, response) => {
          const a = analyzeExchange(ex(upstream, path, requestBody, { ...response, status }));
          if (a.usage) {
            for (const k of [
              'inputTokens',
              'outputTokens',
              'cacheReadTokens',
              'cacheWriteTokens',
              'reasoningTokens',
            ] as const) {
              expect(Number.isFinite(a.usage[k]) && a.usage[k] >= 0).toBe(true);
            }
          }
          if (a.costUsd !== null) expect(Number.isFinite(a.costUsd) && a.costUsd >= 0).toBe(true);
          if (status >= 400) expect(a.usage).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('libraries shared/ runs in the browser too', () => {
  /** Every module reachable from an entry point through static and dynamic imports. */
  function importGraph(entry: string): { files: string[]; external: string[] } {
    const files: string[] = [];
    const external = new Set<string>();
    const todo = [fileURLToPath(entry)];
    while (todo.length > 0) {
      const file = todo.pop() as string;
      if (files.includes(file)) continue;
      files.push(file);
      const src = readFileSync(file, 'utf8');
      const specs = [
        ...src.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']/gm),
        ...src.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
        ...src.matchAll(/\b(?:import|require)\s*\(\s*["']([^"']+)["']/g),
      ].map((m) => m[1] ?? '');
      for (const spec of specs) {
        if (spec.startsWith('.')) todo.push(path.resolve(path.dirname(file), spec));
        else external.add(spec);
      }
    }
    return { files, external: [...external] };
  }

  it.each(['gpt-tokenizer/encoding/o200k_base', '@pydantic/genai-prices'])(
    '%s imports nothing outside itself',
    (spec) => {
      const graph = importGraph(import.meta.resolve(spec));
      expect(graph.files.length).toBeGreaterThanOrEqual(spec.startsWith('gpt-tokenizer') ? 10 : 1);
      expect(graph.external).toEqual([]);
    },
  );
});
