/** A unit test needs no server: `mockClient` is a real `openai` client answered in process. */
import { mockClient } from 'tapedeck/testing';

test('mockClient returns the scripted replies in order, then repeats the last', async () => {
  const client = mockClient({
    responses: [{ content: 'Hello!', model: 'gpt-4o', tokens: 10 }, { content: 'Goodbye.' }],
  });
  const ask = () =>
    client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] });

  const first = await ask();
  expect(first.choices[0].message.content).toBe('Hello!');
  expect(first.model).toBe('gpt-4o');
  expect(first.usage.total_tokens).toBe(10);
  expect((await ask()).choices[0].message.content).toBe('Goodbye.');
  expect((await ask()).choices[0].message.content).toBe('Goodbye.');

  expect(client.calls).toHaveLength(3);
  expect(client.calls[0].model).toBe('x');
  expect(client.calls[0].messages).toEqual([{ role: 'user', content: 'Hi' }]);
});
