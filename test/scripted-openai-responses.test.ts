/**
 * A scripted reply rendered by the openai-responses adapter reads, through the real `openai` SDK's
 * Responses client and its stream helper, as the reply it scripts: text, function calls, usage,
 * and `length` as an incomplete response.
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
  const server = await startScriptedServer('openai-responses', replies);
  servers.push(server);
  return {
    client: new OpenAI({ apiKey: 'x', baseURL: `${server.url}/v1`, maxRetries: 0 }),
    server,
  };
}

const REPLY: ScriptedResponse = {
  content: 'Let me check the weather for you.',
  model: 'gpt-4.1-mini',
  tokens: 10,
  toolCalls: [
    { name: 'get_weather', arguments: { city: 'Paris' } },
    { id: 'call_given', name: 'lookup', arguments: '{"q":"été"}' },
  ],
};

function functionCalls(output: OpenAI.Responses.ResponseOutputItem[]): unknown[] {
  return output
    .filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')
    .map((o) => ({
      id: o.id,
      call_id: o.call_id,
      name: o.name,
      args: JSON.parse(o.arguments) as unknown,
    }));
}

const EXPECTED_CALLS = [
  {
    id: 'fc_tapedeck_0_0',
    call_id: 'call_tapedeck_0_0',
    name: 'get_weather',
    args: { city: 'Paris' },
  },
  { id: 'fc_tapedeck_0_1', call_id: 'call_given', name: 'lookup', args: { q: 'été' } },
];

describe('scripted openai-responses replies', () => {
  it('answers a non-streamed request with a completed response object', async () => {
    const { client, server } = await clientFor([REPLY]);
    const r = await client.responses.create({ model: 'gpt-4o', input: 'hi' });
    expect(r.id).toBe('resp_tapedeck_0');
    expect(r.object).toBe('response');
    expect(r.status).toBe('completed');
    expect(r.model).toBe('gpt-4.1-mini');
    expect(r.output_text).toBe('Let me check the weather for you.');
    expect(r.output[0]).toMatchObject({ type: 'message', id: 'msg_tapedeck_0', role: 'assistant' });
    expect(functionCalls(r.output)).toEqual(EXPECTED_CALLS);
    expect(r.usage).toMatchObject({ input_tokens: 3, output_tokens: 7, total_tokens: 10 });

    const response = server.exchanges[0]!.response;
    expect(adapterOf('openai-responses').read(response).usage).toMatchObject({
      inputTokens: 3,
      outputTokens: 7,
    });
    expect(adapterOf('openai-responses').replyText(response)).toBe(
      'Let me check the weather for you.',
    );
  });

  it("reports `length` as incomplete (max_output_tokens), in the request's model", async () => {
    const { client } = await clientFor([{ content: 'cut sh', finishReason: 'length' }]);
    const r = await client.responses.create({ model: 'gpt-4o', input: 'hi' });
    expect(r.model).toBe('gpt-4o');
    expect(r.status).toBe('incomplete');
    expect(r.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(r.output_text).toBe('cut sh');
    expect(functionCalls(r.output)).toEqual([]);
  });

  it('streams the lifecycle events that responses.stream() accumulates', async () => {
    const { client, server } = await clientFor([REPLY]);
    const stream = client.responses.stream({ model: 'gpt-4o', input: 'hi' });
    const types: string[] = [];
    const numbers: number[] = [];
    const textDeltas: string[] = [];
    stream.on('event', (e) => {
      types.push(e.type);
      numbers.push(e.sequence_number);
    });
    stream.on('response.output_text.delta', (e) => textDeltas.push(e.delta));
    const final = await stream.finalResponse();

    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('Let me check the weather for you.');
    expect(functionCalls(final.output)).toEqual(EXPECTED_CALLS);
    expect(final.usage).toMatchObject({ input_tokens: 3, output_tokens: 7, total_tokens: 10 });

    expect(textDeltas.length).toBeGreaterThan(1);
    expect(textDeltas.join('')).toBe('Let me check the weather for you.');
    expect(numbers).toEqual(types.map((_, i) => i));
    const distinct = types.filter((t, i) => t !== types[i - 1]);
    expect(distinct).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    // Each event is named on the wire by its type, as OpenAI sends it.
    const stream_ = server.exchanges[0]!.response.stream ?? [];
    expect(stream_.map((e) => e.event)).toEqual(types);
  });

  it('ends a streamed `length` reply in response.incomplete', async () => {
    const { client } = await clientFor([{ content: 'cut short here', finishReason: 'length' }]);
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'hi', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const last = events.at(-1);
    expect(last?.type).toBe('response.incomplete');
    if (last?.type !== 'response.incomplete') return;
    expect(last.response.status).toBe('incomplete');
    expect(last.response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });
});
