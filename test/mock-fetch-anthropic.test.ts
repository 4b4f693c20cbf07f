/**
 * `createMockFetch({ snapshot })` as the Anthropic SDK's `fetch`, default base URL
 * (api.anthropic.com): a recorded streamed tool call comes back through `messages.stream()` with
 * every event, and `finalMessage()` holds the tool_use block the recording holds.
 */
import Anthropic from '@anthropic-ai/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../shared/schema.js';
import { createMockFetch } from '../testing/index.js';
import { anthropicRequest, DEMO, demoCalls, eventsOf } from './support/demo-calls.js';

let demo: Map<number, Call>;
beforeAll(async () => {
  demo = await demoCalls();
});

describe('createMockFetch with the Anthropic SDK', () => {
  it('streams a recorded tool call: finalMessage() has the tool_use', async () => {
    const fetch = createMockFetch({ snapshot: DEMO });
    const client = new Anthropic({ apiKey: 'test', fetch, maxRetries: 0 });
    const stream = client.messages.stream(anthropicRequest);
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const message = await stream.finalMessage();

    const recorded = eventsOf(demo.get(5)) as Array<{ type: string }>;
    // The SDK keeps pings to itself; every other recorded event reaches the listener.
    expect(types).toEqual(recorded.map((e) => e.type).filter((t) => t !== 'ping'));
    const toolUse = message.content.find((b) => b.type === 'tool_use');
    expect(toolUse).toMatchObject({
      type: 'tool_use',
      name: 'get_weather',
      input: { city: 'Paris', unit: 'celsius' },
    });
    // The recorded input arrives as partial JSON deltas: the SDK put them together.
    const deltas = recorded.filter(
      (e) =>
        e.type === 'content_block_delta' &&
        (e as { delta?: { type?: string } }).delta?.type === 'input_json_delta',
    );
    expect(deltas.length).toBeGreaterThan(1);
    expect(message.stop_reason).toBe('tool_use');

    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0]).toMatchObject({
      provider: 'anthropic',
      path: '/v1/messages',
      model: 'claude-sonnet-4-6',
      messages: anthropicRequest.messages,
      call: demo.get(5)?.id,
      status: 200,
    });
    expect((fetch.calls[0]?.body as { stream?: boolean }).stream).toBe(true);
  });
});
