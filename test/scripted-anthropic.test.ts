/**
 * A scripted reply rendered by the anthropic-messages adapter reads, through the real
 * `@anthropic-ai/sdk` (`messages.create` and `MessageStream`), as the reply it scripts: text and
 * tool_use blocks with object inputs, usage split, and OpenAI finish words as stop reasons.
 */
import Anthropic from '@anthropic-ai/sdk';
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
): Promise<{ client: Anthropic; server: ScriptedServer }> {
  const server = await startScriptedServer('anthropic-messages', replies);
  servers.push(server);
  return { client: new Anthropic({ apiKey: 'x', baseURL: server.url, maxRetries: 0 }), server };
}

const REQUEST = {
  model: 'claude-sonnet-4-6',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'weather?' }],
};

const REPLY: ScriptedResponse = {
  content: 'Let me check the weather for you.',
  model: 'claude-opus-4-1',
  tokens: 10,
  toolCalls: [
    { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
    { id: 'toolu_given', name: 'lookup', arguments: { q: 'été', n: [1, 2] } },
  ],
};

const EXPECTED_TOOLS = [
  {
    type: 'tool_use',
    id: 'toolu_tapedeck_0_0',
    name: 'get_weather',
    input: { city: 'Paris', unit: 'celsius' },
  },
  { type: 'tool_use', id: 'toolu_given', name: 'lookup', input: { q: 'été', n: [1, 2] } },
];

describe('scripted anthropic-messages replies', () => {
  it('answers a non-streamed request with a message of text and tool_use blocks', async () => {
    const { client, server } = await clientFor([REPLY]);
    const m = await client.messages.create(REQUEST);
    expect(m.id).toBe('msg_tapedeck_0');
    expect(m.type).toBe('message');
    expect(m.role).toBe('assistant');
    expect(m.model).toBe('claude-opus-4-1');
    expect(m.content[0]).toEqual({ type: 'text', text: 'Let me check the weather for you.' });
    expect(m.content.slice(1)).toEqual(EXPECTED_TOOLS);
    expect(m.stop_reason).toBe('tool_use');
    expect(m.stop_sequence).toBeNull();
    expect(m.usage).toMatchObject({ input_tokens: 3, output_tokens: 7 });

    const response = server.exchanges[0]!.response;
    expect(adapterOf('anthropic-messages').read(response).usage).toMatchObject({
      inputTokens: 3,
      outputTokens: 7,
    });
  });

  it("maps OpenAI's finish words to stop reasons and passes Anthropic's own", async () => {
    const { client } = await clientFor([
      { content: 'a' },
      { content: 'b', finishReason: 'length' },
      { content: 'c', finishReason: 'content_filter' },
      { content: 'd', finishReason: 'pause_turn' },
      { toolCalls: [{ name: 'f' }] },
    ]);
    const got: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await client.messages.create(REQUEST);
      got.push([m.id, m.model, m.stop_reason, m.content]);
    }
    expect(got).toEqual([
      ['msg_tapedeck_0', 'claude-sonnet-4-6', 'end_turn', [{ type: 'text', text: 'a' }]],
      ['msg_tapedeck_1', 'claude-sonnet-4-6', 'max_tokens', [{ type: 'text', text: 'b' }]],
      ['msg_tapedeck_2', 'claude-sonnet-4-6', 'refusal', [{ type: 'text', text: 'c' }]],
      ['msg_tapedeck_3', 'claude-sonnet-4-6', 'pause_turn', [{ type: 'text', text: 'd' }]],
      [
        'msg_tapedeck_4',
        'claude-sonnet-4-6',
        'tool_use',
        [{ type: 'tool_use', id: 'toolu_tapedeck_4_0', name: 'f', input: {} }],
      ],
    ]);
  });

  it('streams named events that MessageStream assembles into the same message', async () => {
    const { client, server } = await clientFor([REPLY]);
    const stream = client.messages.stream(REQUEST);
    const texts: string[] = [];
    const jsonFragments: string[] = [];
    stream.on('text', (t) => texts.push(t));
    stream.on('inputJson', (partial) => jsonFragments.push(partial));
    const m = await stream.finalMessage();

    expect(m.id).toBe('msg_tapedeck_0');
    expect(m.model).toBe('claude-opus-4-1');
    expect(m.content[0]).toEqual({ type: 'text', text: 'Let me check the weather for you.' });
    expect(m.content.slice(1)).toEqual(EXPECTED_TOOLS);
    expect(m.stop_reason).toBe('tool_use');
    expect(m.usage).toMatchObject({ input_tokens: 3, output_tokens: 7 });
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('')).toBe('Let me check the weather for you.');
    expect(jsonFragments.filter((f) => f !== '').length).toBeGreaterThan(2);

    const events = server.exchanges[0]!.response.stream ?? [];
    expect(events[0]?.event).toBe('message_start');
    expect(events.at(-2)?.event).toBe('message_delta');
    expect(events.at(-1)?.event).toBe('message_stop');
    // Every event's name is its data's type, which is what the SDK dispatches on.
    for (const e of events)
      expect((JSON.parse(e.data ?? '') as { type: string }).type).toBe(e.event);
    expect(adapterOf('anthropic-messages').read(server.exchanges[0]!.response).usage).toMatchObject(
      { inputTokens: 3, outputTokens: 7 },
    );
  });

  it('refuses tool arguments that are not a JSON object, naming the tool', () => {
    const scripted = adapterOf('anthropic-messages').scripted!;
    const req = { path: '/v1/messages', search: '', body: REQUEST, n: 0 };
    expect(() => scripted({ toolCalls: [{ name: 'f', arguments: '{"city":' }] }, req)).toThrow(
      /"f": arguments are not JSON/,
    );
    expect(() => scripted({ toolCalls: [{ name: 'g', arguments: '[1]' }] }, req)).toThrow(
      /"g": this API wants arguments that are a JSON object/,
    );
  });
});
