/**
 * The demo snapshot (samples/demo) as the in-process mock tests use it: its folder, its call
 * files by what they answer, and the exact requests the SDKs make to hit them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Call } from '../../shared/schema.js';
import { readCalls } from './snapshot-files.js';

export const DEMO = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../samples/demo');

export const QUESTION = 'What is the weather in Paris?';

export const weatherParameters = {
  type: 'object' as const,
  properties: {
    city: { type: 'string' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['city'],
  additionalProperties: false,
};

/** The chat request of demo calls 1 (JSON) and 2 (with `stream: true` and usage). */
export const chatRequest = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: QUESTION }],
  tools: [
    {
      type: 'function' as const,
      function: {
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: weatherParameters,
      },
    },
  ],
};

/** The Anthropic request of demo calls 4 (JSON) and 5 (streamed). */
export const anthropicRequest = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  messages: [{ role: 'user' as const, content: QUESTION }],
  tools: [
    {
      name: 'get_weather',
      description: 'Current weather for a city',
      input_schema: weatherParameters,
    },
  ],
};

/** The demo's call files, by seq (1…11), each checked against the schema. */
export async function demoCalls(): Promise<Map<number, Call>> {
  const calls = await readCalls(DEMO);
  return new Map(calls.map((c) => [c.seq, c]));
}

/** The JSON body of a recorded reply. */
export function bodyOf(call: Call | undefined): unknown {
  if (call?.response.body === undefined) throw new Error('not a JSON reply');
  return call.response.body;
}

/** The data of each recorded SSE event, parsed, without OpenAI's `[DONE]`. */
export function eventsOf(call: Call | undefined): unknown[] {
  const stream = call?.response.stream;
  if (!stream) throw new Error('not a streamed reply');
  return stream
    .filter((e) => e.data !== undefined && e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data ?? '') as unknown);
}
