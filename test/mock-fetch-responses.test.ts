/**
 * `createMockFetch({ responses })`, ModelMesh's way: the replies come in order, the last one
 * repeating, each in the wire format of the SDK that asked (OpenAI chat and Responses, Anthropic,
 * Gemini), streamed when the request streams, with `tokens` split prompt = tokens / 3.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createMockFetch, withMockFetch, type ScriptedResponse } from '../testing/index.js';

const responses: ScriptedResponse[] = [
  { content: 'first', tokens: 10 },
  { content: 'second', model: 'gpt-4o' },
  { content: 'third' },
];
const IN_ORDER = ['first', 'second', 'third', 'third', 'third'];

const openai = (fetch: typeof globalThis.fetch): OpenAI =>
  new OpenAI({ apiKey: 'test', fetch, maxRetries: 0 });
const ask = [{ role: 'user' as const, content: 'hi' }];

describe('createMockFetch({ responses })', () => {
  it('OpenAI chat: in order, then the last repeats; tokens 10 is 3 prompt + 7 completion', async () => {
    const fetch = createMockFetch({ responses });
    const client = openai(fetch);
    const replies = [];
    for (let i = 0; i < IN_ORDER.length; i++)
      replies.push(await client.chat.completions.create({ model: 'gpt-4o-mini', messages: ask }));
    expect(replies.map((r) => r.choices[0]?.message.content)).toEqual(IN_ORDER);
    expect(replies[0]?.usage).toMatchObject({
      prompt_tokens: 3,
      completion_tokens: 7,
      total_tokens: 10,
    });
    // The request's model unless the reply names one.
    expect(replies.map((r) => r.model)).toEqual([
      'gpt-4o-mini',
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4o-mini',
      'gpt-4o-mini',
    ]);
    expect(replies[0]?.choices[0]?.finish_reason).toBe('stop');
    expect(fetch.calls.map((c) => c.call)).toEqual([
      'responses[0]',
      'responses[1]',
      'responses[2]',
      'responses[2]',
      'responses[2]',
    ]);
  });

  it('OpenAI chat streamed: real SSE chunks through the SDK, in order', async () => {
    const fetch = createMockFetch({ responses });
    const client = openai(fetch);
    const texts: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for (let i = 0; i < 4; i++) {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: ask,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? '';
        if (i === 0 && chunk.usage) usage = chunk.usage;
      }
      expect(chunks).toBeGreaterThan(1);
      texts.push(text);
    }
    expect(texts).toEqual(IN_ORDER.slice(0, 4));
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 });
    expect(fetch.calls.every((c) => c.status === 200)).toBe(true);
  });

  it('OpenAI Responses API, plain and streamed, sharing one sequence', async () => {
    const fetch = createMockFetch({ responses });
    const client = openai(fetch);
    const first = await client.responses.create({ model: 'gpt-4.1-mini', input: 'hi' });
    expect(first.output_text).toBe('first');
    expect(first.usage).toMatchObject({ input_tokens: 3, output_tokens: 7, total_tokens: 10 });

    const stream = await client.responses.create({
      model: 'gpt-4.1-mini',
      input: 'hi',
      stream: true,
    });
    let done = '';
    const types: string[] = [];
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'response.output_text.done') done = e.text;
    }
    expect(done).toBe('second');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');

    const rest = [];
    for (let i = 0; i < 2; i++)
      rest.push(
        (await client.responses.create({ model: 'gpt-4.1-mini', input: 'hi' })).output_text,
      );
    expect(rest).toEqual(['third', 'third']);
  });

  it('Anthropic: a streamed tool call, then the next replies in order', async () => {
    const fetch = createMockFetch({
      responses: [
        {
          content: 'Let me look.',
          toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' } }],
          tokens: 10,
        },
        { content: 'It is sunny.' },
      ],
    });
    const client = new Anthropic({ apiKey: 'test', fetch, maxRetries: 0 });
    const request = {
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
    };
    const stream = client.messages.stream(request);
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const first = await stream.finalMessage();
    expect(types).toContain('message_start');
    expect(types).toContain('content_block_delta');
    expect(first.content).toEqual([
      expect.objectContaining({ type: 'text', text: 'Let me look.' }),
      expect.objectContaining({
        type: 'tool_use',
        id: 'toolu_1',
        name: 'get_weather',
        input: { city: 'Paris' },
      }),
    ]);
    expect(first.stop_reason).toBe('tool_use');
    expect(first.usage).toMatchObject({ input_tokens: 3, output_tokens: 7 });

    const texts = [];
    for (let i = 0; i < 2; i++) {
      const m = await client.messages.create(request);
      texts.push(m.content[0]?.type === 'text' ? m.content[0].text : null);
      expect(m.stop_reason).toBe('end_turn');
    }
    expect(texts).toEqual(['It is sunny.', 'It is sunny.']);
  });

  it('Gemini: generateContent and generateContentStream, in order', async () => {
    const texts = await withMockFetch({ responses }, async (mock) => {
      const ai = new GoogleGenAI({ apiKey: 'test', vertexai: false });
      const out: string[] = [];
      const first = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
      expect(first.usageMetadata).toMatchObject({
        promptTokenCount: 3,
        candidatesTokenCount: 7,
        totalTokenCount: 10,
      });
      out.push(first.text ?? '');
      const stream = await ai.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: 'hi',
      });
      let text = '';
      for await (const chunk of stream) text += chunk.text ?? '';
      out.push(text);
      for (let i = 0; i < 2; i++)
        out.push(
          (await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })).text ??
            '',
        );
      expect(mock.calls.map((c) => c.provider)).toEqual(['gemini', 'gemini', 'gemini', 'gemini']);
      return out;
    });
    expect(texts).toEqual(IN_ORDER.slice(0, 4));
  });

  it('reset() starts the replies over', async () => {
    const fetch = createMockFetch({ responses });
    const client = openai(fetch);
    const text = async () =>
      (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: ask })).choices[0]
        ?.message.content;
    expect([await text(), await text()]).toEqual(['first', 'second']);
    fetch.reset();
    expect(fetch.calls).toEqual([]);
    expect(await text()).toBe('first');
  });
});
