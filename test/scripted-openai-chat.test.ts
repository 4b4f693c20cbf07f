/**
 * A scripted reply rendered by the openai-chat adapter reads, through the real `openai` SDK, as
 * the reply it scripts: content, usage split, finish reason and tool calls, streamed or not.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterOf } from '../shared/adapters/registry.js';
import type { ScriptedResponse } from '../shared/scripted-reply.js';
import { startScriptedServer, type ScriptedServer } from './support/scripted-server.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function clientFor(
  replies: ScriptedResponse[],
): Promise<{ client: OpenAI; server: ScriptedServer }> {
  const server = await startScriptedServer('openai-chat', replies);
  servers.push(server);
  return {
    client: new OpenAI({ apiKey: 'x', baseURL: `${server.url}/v1`, maxRetries: 0 }),
    server,
  };
}

const TOOLS: ScriptedResponse['toolCalls'] = [
  { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
  { id: 'call_given', name: 'lookup', arguments: '{"q":"été"}' },
];

const messages = [{ role: 'user' as const, content: 'hi' }];

describe('scripted openai-chat replies', () => {
  it('answers a non-streamed request with a chat.completion', async () => {
    const { client, server } = await clientFor([
      { content: 'Hello there, how are you?', model: 'gpt-4o', tokens: 10 },
    ]);
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(r.id).toBe('chatcmpl-tapedeck-0');
    expect(r.object).toBe('chat.completion');
    expect(r.model).toBe('gpt-4o');
    expect(typeof r.created).toBe('number');
    expect(r.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: 'Hello there, how are you?',
    });
    expect(r.choices[0]?.message.tool_calls).toBeUndefined();
    expect(r.choices[0]?.finish_reason).toBe('stop');
    expect(r.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 });

    // Tapedeck's own reader agrees with the SDK about what was sent.
    const response = server.exchanges[0]!.response;
    const reading = adapterOf('openai-chat').read(response);
    expect(reading.model).toBe('gpt-4o');
    expect(reading.usage).toMatchObject({ inputTokens: 3, outputTokens: 7 });
    expect(adapterOf('openai-chat').replyText(response)).toBe('Hello there, how are you?');
  });

  it("names the request's model when the reply names none, and passes finish reasons", async () => {
    const { client } = await clientFor([{ content: 'cut', finishReason: 'length' }]);
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(r.model).toBe('gpt-4o-mini');
    expect(r.choices[0]?.finish_reason).toBe('length');
    expect(r.usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('answers an empty reply with an empty text, not a missing one', async () => {
    const { client } = await clientFor([{}]);
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(r.choices[0]?.message.content).toBe('');
    expect(r.choices[0]?.finish_reason).toBe('stop');
  });

  it('sends tool calls with JSON-text arguments and null content', async () => {
    const { client } = await clientFor([{ toolCalls: TOOLS, tokens: 10 }]);
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const message = r.choices[0]!.message;
    expect(message.content).toBeNull();
    expect(r.choices[0]?.finish_reason).toBe('tool_calls');
    const calls = (message.tool_calls ?? []).map((c) => {
      if (c.type !== 'function') throw new Error(`unexpected tool call type ${c.type}`);
      return { id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) as unknown };
    });
    expect(calls).toEqual([
      { id: 'call_tapedeck_0_0', name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } },
      { id: 'call_given', name: 'lookup', args: { q: 'été' } },
    ]);
    // Text arguments go out as the script spelled them.
    const second = message.tool_calls?.[1];
    expect(second?.type === 'function' && second.function.arguments).toBe('{"q":"été"}');
  });

  it('streams text and tool calls that ChatCompletionStream accumulates, with usage', async () => {
    const { client } = await clientFor([
      {
        content: 'Let me check the weather for you.',
        toolCalls: TOOLS,
        promptTokens: 3,
        completionTokens: 7,
      },
    ]);
    const stream = client.chat.completions.stream({
      model: 'gpt-4o',
      messages,
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0]!;
    expect(final.id).toBe('chatcmpl-tapedeck-0');
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.content).toBe('Let me check the weather for you.');
    expect(choice.finish_reason).toBe('tool_calls');
    expect(
      (choice.message.tool_calls ?? []).map((c) =>
        c.type === 'function'
          ? { id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) as unknown }
          : c,
      ),
    ).toEqual([
      { id: 'call_tapedeck_0_0', name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } },
      { id: 'call_given', name: 'lookup', args: { q: 'été' } },
    ]);
    expect(final.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 });
  });

  it('streams chunks: a role delta, several content deltas, a usage chunk only when asked', async () => {
    const { client, server } = await clientFor([
      { content: 'one two three four five', tokens: 10 },
    ]);
    const chunksOf = async (includeUsage: boolean) => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o',
        messages,
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const out: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
      for await (const chunk of stream) out.push(chunk);
      return out;
    };

    const withUsage = await chunksOf(true);
    expect(withUsage[0]?.choices[0]?.delta.role).toBe('assistant');
    const deltas = withUsage.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? ''));
    expect(deltas.filter((d) => d !== '').length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('one two three four five');
    const last = withUsage.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 });
    expect(withUsage.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(withUsage.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    const without = await chunksOf(false);
    expect(without.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(without.every((c) => c.usage === undefined)).toBe(true);

    // The stream is SSE ending in [DONE], as OpenAI sends it.
    const response = server.exchanges[0]!.response;
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(response.stream?.at(-1)?.data).toBe('[DONE]');
    expect(response.stream?.every((e) => e.event === undefined)).toBe(true);
  });

  it("falls back to 'tapedeck-mock' when neither the reply nor the request names a model", async () => {
    const { server } = await clientFor([{ content: 'ok' }]);
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { model: string };
    expect(body.model).toBe('tapedeck-mock');
  });
});
