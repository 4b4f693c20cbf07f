/**
 * `mockClient`: ModelMesh's mock client as a real openai client (and `mockClient.anthropic` as a
 * real Anthropic one): replies parsed by the SDK itself, streams included, every call in `.calls`.
 */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { mockClient } from '../testing/index.js';
import { anthropicRequest, DEMO } from './support/demo-calls.js';

describe('mockClient', () => {
  it("the issue's example", async () => {
    const client = mockClient({ responses: [{ content: 'Hello!', model: 'gpt-4o', tokens: 10 }] });
    const r = await client.chat.completions.create({
      model: 'x',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    expect(r.choices[0]?.message.content).toBe('Hello!');
    expect(r.usage?.total_tokens).toBe(10);
    expect(client.calls[0]?.model).toBe('x');

    expect(client).toBeInstanceOf(OpenAI);
    expect(r.model).toBe('gpt-4o');
    expect(client.calls[0]?.messages).toEqual([{ role: 'user', content: 'Say hello' }]);
  });

  it('streams through the SDK', async () => {
    const client = mockClient({ responses: [{ content: 'Hello, streamed world!', tokens: 9 }] });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let total: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      total = chunk.usage?.total_tokens ?? total;
    }
    expect(text).toBe('Hello, streamed world!');
    expect(total).toBe(9);
    expect(client.calls).toHaveLength(1);
    expect((client.calls[0]?.body as { stream?: boolean }).stream).toBe(true);

    // The SDK's own stream helper over the same reply.
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Hello, streamed world!');
  });

  it('mockClient.anthropic is a real Anthropic client', async () => {
    const client = mockClient.anthropic({
      responses: [
        { content: 'Bonjour', tokens: 6 },
        { toolCalls: [{ name: 'lookup', arguments: '{"q":"Paris"}' }] },
      ],
    });
    expect(client).toBeInstanceOf(Anthropic);
    const request = {
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      messages: [{ role: 'user' as const, content: 'Say hi in French' }],
    };
    const first = await client.messages.create(request);
    expect(first.content).toEqual([expect.objectContaining({ type: 'text', text: 'Bonjour' })]);
    expect(first.usage).toMatchObject({ input_tokens: 2, output_tokens: 4 });

    const second = await client.messages.stream(request).finalMessage();
    expect(second.content).toEqual([
      expect.objectContaining({ type: 'tool_use', name: 'lookup', input: { q: 'Paris' } }),
    ]);
    expect(client.calls.map((c) => [c.provider, c.model, c.call])).toEqual([
      ['anthropic', 'claude-sonnet-4-6', 'responses[0]'],
      ['anthropic', 'claude-sonnet-4-6', 'responses[1]'],
    ]);
  });

  it('reset() starts the replies over and forgets the calls', async () => {
    const client = mockClient({ responses: [{ content: 'one' }, { content: 'two' }] });
    const say = async () =>
      (
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
        })
      ).choices[0]?.message.content;
    expect([await say(), await say(), await say()]).toEqual(['one', 'two', 'two']);
    expect(client.calls).toHaveLength(3);
    client.reset();
    expect(client.calls).toEqual([]);
    expect(await say()).toBe('one');
    // The fetch underneath is the same mock: its calls are the client's.
    expect(client.mockFetch.calls).toHaveLength(1);
    expect(client.mockFetch.calls[0]).toBe(client.calls[0]);
  });

  it('over a snapshot, with the SDK options given', async () => {
    const client = mockClient({
      snapshot: DEMO,
      clientOptions: { defaultHeaders: { 'x-app': 'unit' } },
    });
    const r = await client.responses.create({
      model: 'gpt-4.1-mini',
      input: 'What is the weather in Paris?',
    });
    expect(r.output_text).not.toBe('');
    expect(client.calls[0]).toMatchObject({ path: '/v1/responses', status: 200 });
    expect(client.calls[0]?.call).toMatch(/^c_/);

    // The SDK the test imports: its error classes are the ones the client throws.
    await expect(
      client.responses.create({ model: 'gpt-4.1-mini', input: 'Not recorded' }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(client.misses).toHaveLength(1);
  });

  it('a snapshot with its options: a scenario applies', async () => {
    const client = mockClient.anthropic({
      snapshot: DEMO,
      scenario: 'flaky-anthropic',
      log: false,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        await client.messages.create(anthropicRequest).then(
          () => 200,
          (e: unknown) => (e instanceof Anthropic.APIError ? (e.status ?? 0) : -1),
        ),
      );
    expect(statuses).toEqual([200, 200, 200, 529]);
  });

  it('responses and snapshot together are refused', () => {
    expect(() => mockClient({ responses: [{}], snapshot: DEMO })).toThrow(/not both/);
  });
});
