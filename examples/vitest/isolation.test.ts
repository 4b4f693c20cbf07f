/**
 * One shared mock, tests running at the same time: each test names itself in `x-tapedeck-test`
 * (`forTest`), so each replays the recorded sequence from its first reply.
 */
import OpenAI from 'openai';
import { forTest } from 'tapedeck/testing';
import { describe, inject, test, type ExpectStatic } from 'vitest';

const FIRST = 'Ask me again and I will tell you more.';
const SECOND = 'Paris has 2.1 million inhabitants.';

// Inside concurrent tests, the test's own `expect` (from its context) knows which test it is.
function clientFor(expect: ExpectStatic) {
  const tapedeck = forTest(inject('tapedeckUrl'), expect.getState().currentTestName ?? '');
  const openai = new OpenAI({
    apiKey: 'test',
    baseURL: inject('tapedeckUrl') + '/openai/v1',
    defaultHeaders: tapedeck.headers,
    maxRetries: 0,
  });
  const ask = async () => {
    const r = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Tell me about Paris.' }],
    });
    return r.choices[0]?.message.content;
  };
  return { tapedeck, ask };
}

describe.concurrent('two tests asking the same question at once', () => {
  test('the first test gets the first reply, then the second', async ({ expect }) => {
    const { ask } = clientFor(expect);
    expect(await ask()).toBe(FIRST);
    expect(await ask()).toBe(SECOND);
  });

  test('the second test also gets the first reply, then the second', async ({ expect }) => {
    const { ask } = clientFor(expect);
    expect(await ask()).toBe(FIRST);
    expect(await ask()).toBe(SECOND);
  });
});

test('the last reply repeats, and reset() starts the test over', async ({ expect }) => {
  const { tapedeck, ask } = clientFor(expect);
  expect([await ask(), await ask(), await ask()]).toEqual([FIRST, SECOND, SECOND]);
  await tapedeck.reset();
  expect(await ask()).toBe(FIRST);
  expect(await tapedeck.misses()).toEqual([]);
});
