/** The app's code, with the `openai` SDK pointed at the shared mock: the recorded replies come back. */
import OpenAI from 'openai';
import { expect, inject, test } from 'vitest';

const weather = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
  tools: [
    {
      type: 'function' as const,
      function: {
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: {
          type: 'object',
          properties: {
            city: { type: 'string' },
            unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          },
          required: ['city'],
          additionalProperties: false,
        },
      },
    },
  ],
};

const client = () =>
  new OpenAI({ apiKey: 'test', baseURL: inject('tapedeckUrl') + '/openai/v1', maxRetries: 0 });

test('a chat completion answers with the recorded tool call', async () => {
  const r = await client().chat.completions.create(weather);
  expect(r.choices[0]?.finish_reason).toBe('tool_calls');
  const call = r.choices[0]?.message.tool_calls?.[0];
  expect(call?.type === 'function' && call.function).toEqual({
    name: 'get_weather',
    arguments: '{"city":"Paris","unit":"celsius"}',
  });
  expect(r.usage?.total_tokens).toBe(1218);
});

test('a streamed chat completion replays the recorded chunks', async () => {
  const stream = await client().chat.completions.create({ ...weather, stream: true });
  let text = '';
  let args = '';
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
  }
  expect(text).toBe('Checking the weather.');
  expect(JSON.parse(args)).toEqual({ city: 'Paris' });
});
