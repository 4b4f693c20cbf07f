/**
 * One shared mock, tests running at the same time: each test names itself in `x-tapedeck-test`
 * (`forTest`), so each replays the recorded sequence from its first reply.
 */
import OpenAI from 'openai';
import { forTest } from 'tapedeck/testing';

const FIRST = 'Ask me again and I will tell you more.';
const SECOND = 'Paris has 2.1 million inhabitants.';

function clientFor(testId) {
  const tapedeck = forTest(process.env.TAPEDECK_URL, testId);
  const openai = new OpenAI({ apiKey: 'test', defaultHeaders: tapedeck.headers, maxRetries: 0 });
  const ask = async () => {
    const r = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Tell me about Paris.' }],
    });
    return r.choices[0].message.content;
  };
  return { tapedeck, ask };
}

// Jest's expect.getState() is not per test inside test.concurrent, so each test passes its own id.
describe('two tests asking the same question at once', () => {
  test.concurrent('the first test gets the first reply, then the second', async () => {
    const { ask } = clientFor('concurrent-1');
    expect(await ask()).toBe(FIRST);
    expect(await ask()).toBe(SECOND);
  });

  test.concurrent('the second test also gets the first reply, then the second', async () => {
    const { ask } = clientFor('concurrent-2');
    expect(await ask()).toBe(FIRST);
    expect(await ask()).toBe(SECOND);
  });
});

test('the last reply repeats, and reset() starts the test over', async () => {
  const { tapedeck, ask } = clientFor(expect.getState().currentTestName);
  expect([await ask(), await ask(), await ask()]).toEqual([FIRST, SECOND, SECOND]);
  await tapedeck.reset();
  expect(await ask()).toBe(FIRST);
  expect(await tapedeck.misses()).toEqual([]);
});
