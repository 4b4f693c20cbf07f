/**
 * `withMockFetch` calls that overlap (concurrent tests, or one inside another): each `fn` is
 * answered by its own mock, and once the last one ends `globalThis.fetch` is the original again,
 * whichever order they end in.
 */
import { GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { withMockFetch } from '../testing/index.js';

const ask = async (): Promise<string> => {
  const ai = new GoogleGenAI({ apiKey: 'test', vertexai: false });
  const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
  return r.text ?? '';
};

/** A promise and its resolver: lets a test decide when an `fn` ends. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('overlapping withMockFetch', () => {
  it('two at once, the first to start ending first: each fn gets its own mock, then the original', async () => {
    const original = globalThis.fetch;
    const aEnd = gate();
    const bStarted = gate();
    const a = withMockFetch({ responses: [{ content: 'A' }] }, async () => {
      await bStarted.wait;
      const text = await ask();
      await aEnd.wait;
      return text;
    });
    const b = withMockFetch({ responses: [{ content: 'B' }] }, async () => {
      bStarted.open();
      const before = await ask();
      aEnd.open();
      await a;
      // A has ended; B is still running and still answered by its own mock.
      return [before, await ask()];
    });
    expect(await a).toBe('A');
    expect(await b).toEqual(['B', 'B']);
    expect(globalThis.fetch).toBe(original);
  });

  it('one inside another: each gets its own mock, then the original', async () => {
    const original = globalThis.fetch;
    const bEnd = gate();
    const inner: Promise<string>[] = [];
    const a = withMockFetch({ responses: [{ content: 'A' }] }, async () => {
      inner.push(
        withMockFetch({ responses: [{ content: 'B' }] }, async () => {
          await bEnd.wait;
          return ask();
        }),
      );
      bEnd.open();
      await inner[0];
      return ask();
    });
    expect(await a).toBe('A');
    expect(await inner[0]).toBe('B');
    expect(globalThis.fetch).toBe(original);
  });
});
