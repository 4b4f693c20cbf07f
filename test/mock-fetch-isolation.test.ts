/**
 * Per-test isolation on one shared mock: requests carrying `x-tapedeck-test: ID` replay a sequence
 * from its start for each test, in process (`createMockFetch().forTest(id)`) and on a socket
 * (`startMock().forTest(id).headers` as the SDK's defaultHeaders), so parallel tests cannot drift
 * each other's sequences; one test's reset leaves the others where they are.
 */
import { rm } from 'node:fs/promises';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEST_ID_LENGTH, TEST_HEADER } from '../shared/test-header.js';
import {
  createMockFetch,
  forTest,
  startMock,
  type MockFetch,
  type StartedMock,
} from '../testing/index.js';
import { chatSnapshot, type ChatCall } from './support/chat-snapshot.js';

const question = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'Next step?' }],
};
/** One request recorded three times: a sequence. */
const sequence: ChatCall[] = ['first', 'second', 'third'].map((reply) => ({ ...question, reply }));

let dir: string;
beforeAll(async () => {
  dir = (await chatSnapshot(sequence)).dir;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function say(client: OpenAI): Promise<string | null | undefined> {
  const r = await client.chat.completions.create(question);
  return r.choices[0]?.message.content;
}

const overFetch = (fetch: MockFetch): OpenAI =>
  new OpenAI({ apiKey: 'test', fetch, maxRetries: 0 });

describe('in process: createMockFetch().forTest(id)', () => {
  it('two concurrent tests each get the sequence from its first reply', async () => {
    const shared = createMockFetch({ snapshot: dir });
    const run = async (id: string) => {
      const client = overFetch(shared.forTest(id));
      return [await say(client), await say(client)];
    };
    const [a, b] = await Promise.all([run('a'), run('b')]);
    expect(a).toEqual(['first', 'second']);
    expect(b).toEqual(['first', 'second']);

    expect(shared.calls).toHaveLength(4);
    expect(shared.forTest('a').calls.map((c) => c.test)).toEqual(['a', 'a']);
    expect(shared.forTest('b').calls).toHaveLength(2);
    // Without an id the mock's own positions: untouched by the tests.
    expect(await say(overFetch(shared))).toBe('first');
  });

  it("forTest('a').reset() starts only a over", async () => {
    const shared = createMockFetch({ snapshot: dir });
    const a = overFetch(shared.forTest('a'));
    const b = overFetch(shared.forTest('b'));
    expect([await say(a), await say(b), await say(a), await say(b)]).toEqual([
      'first',
      'first',
      'second',
      'second',
    ]);
    shared.forTest('a').reset();
    expect(shared.forTest('a').calls).toEqual([]);
    expect(shared.forTest('b').calls).toHaveLength(2);
    expect(await say(a)).toBe('first');
    expect(await say(b)).toBe('third');
  });

  it("each test's misses are its own", async () => {
    const shared = createMockFetch({ snapshot: dir });
    const a = overFetch(shared.forTest('a'));
    await expect(
      a.chat.completions.create({ ...question, model: 'gpt-4o' }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(shared.forTest('a').misses).toHaveLength(1);
    expect(shared.forTest('a').misses[0]?.test).toBe('a');
    expect(shared.forTest('b').misses).toEqual([]);
    expect(shared.misses).toHaveLength(1);
  });

  it('forTest takes a long or non-ASCII name as its own test', async () => {
    const shared = createMockFetch({ snapshot: dir });
    const long = overFetch(shared.forTest('x'.repeat(MAX_TEST_ID_LENGTH + 50)));
    const accented = overFetch(shared.forTest('café — naïve test'));
    const [l, c] = await Promise.all([
      long.chat.completions.create(question),
      accented.chat.completions.create(question),
    ]);
    expect(l.choices[0]?.message.content).toBe(c.choices[0]?.message.content);
    expect(shared.forTest('café — naïve test').calls).toHaveLength(1);
    expect(() => shared.forTest('')).toThrow(TypeError);
  });

  it('a raw test header over the limit is refused with a 400', async () => {
    const shared = createMockFetch({ snapshot: dir });
    const client = new OpenAI({
      apiKey: 'test',
      fetch: shared,
      maxRetries: 0,
      defaultHeaders: { [TEST_HEADER]: 'x'.repeat(MAX_TEST_ID_LENGTH + 1) },
    });
    const error = await client.chat.completions.create(question).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((error as Error).message)).toContain(TEST_HEADER);
  });
});

describe('in process with { responses }: forTest(id)', () => {
  const responses = sequence.map((c) => ({ content: c.reply }));

  it('each test gets the replies from the first, and resets alone', async () => {
    const shared = createMockFetch({ responses });
    const a = overFetch(shared.forTest('a'));
    const b = overFetch(shared.forTest('b'));
    const [ra, rb] = await Promise.all([
      (async () => [await say(a), await say(a)])(),
      (async () => [await say(b), await say(b)])(),
    ]);
    expect(ra).toEqual(['first', 'second']);
    expect(rb).toEqual(['first', 'second']);
    shared.forTest('a').reset();
    expect(await say(a)).toBe('first');
    expect(await say(b)).toBe('third');
    expect(await say(overFetch(shared))).toBe('first');
  });

  it('a bad test id is refused with a 400, as with a snapshot', async () => {
    const shared = createMockFetch({ responses });
    for (const bad of ['', 'x'.repeat(MAX_TEST_ID_LENGTH + 1), 'caf\u00e9']) {
      const raw = new OpenAI({
        apiKey: 'test',
        fetch: shared,
        maxRetries: 0,
        defaultHeaders: { [TEST_HEADER]: bad },
      });
      const error = await raw.chat.completions.create(question).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(String((error as Error).message)).toContain(TEST_HEADER);
    }
    expect(shared.misses.map((m) => m.reason)).toEqual([
      expect.stringContaining('empty'),
      expect.stringContaining('longer'),
      expect.stringContaining('printable'),
    ]);
    // None of them took a reply from the shared sequence.
    expect(await say(overFetch(shared))).toBe('first');
  });
});

describe('on a socket: startMock().forTest(id)', () => {
  let mock: StartedMock;
  beforeAll(async () => {
    mock = await startMock({ snapshot: dir, log: false, watch: false });
  });
  afterAll(async () => {
    await mock.close();
  });

  const client = (headers: Readonly<Record<string, string>>): OpenAI =>
    new OpenAI({
      apiKey: 'test',
      baseURL: mock.baseUrls.openai,
      defaultHeaders: headers,
      maxRetries: 0,
    });

  // Two tests running at once on the shared mock, as two files of one vitest run would.
  describe.concurrent('two parallel tests', () => {
    for (const id of ['socket-a', 'socket-b'])
      it(`${id} gets the first reply, then the second`, async ({ expect }) => {
        const c = client(mock.forTest(id).headers);
        expect(await say(c)).toBe('first');
        expect(await say(c)).toBe('second');
      });
  });

  it('POST /__tapedeck/reset?test=ID via forTest(url, id).reset() starts that test over', async () => {
    const one = client(mock.forTest('r1').headers);
    const two = client(mock.forTest('r2').headers);
    expect([await say(one), await say(one), await say(two)]).toEqual(['first', 'second', 'first']);
    await forTest(mock.url, 'r1').reset();
    expect(await say(one)).toBe('first');
    expect(await say(two)).toBe('second');
  });

  it("a test's misses are listed under its id", async () => {
    const t = mock.forTest('m1');
    await expect(
      client(t.headers).chat.completions.create({ ...question, model: 'gpt-4o' }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(await t.misses()).toHaveLength(1);
    expect(await mock.forTest('m2').misses()).toEqual([]);
    expect(await t.stats()).toEqual({ test: 'm1', requests: 1, unmatched: 1 });
  });

  it('forTest().fetch adds the header for an SDK fetch option', async () => {
    const t = mock.forTest('f1');
    const c = new OpenAI({
      apiKey: 'test',
      baseURL: mock.baseUrls.openai,
      fetch: t.fetch,
      maxRetries: 0,
    });
    expect([await say(c), await say(c)]).toEqual(['first', 'second']);
    await t.reset();
    expect(await say(c)).toBe('first');
  });

  it('a test id over the limit is refused with a 400', async () => {
    const c = client({ [TEST_HEADER]: 'x'.repeat(MAX_TEST_ID_LENGTH + 1) });
    const error = await c.chat.completions.create(question).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).status).toBe(400);
    expect(String((error as Error).message)).toContain(TEST_HEADER);
  });
});
