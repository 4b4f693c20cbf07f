/**
 * `withMockFetch(source, fn)` for an SDK without a `fetch` option (@google/genai): inside `fn`,
 * `globalThis.fetch` answers Gemini's real host from the snapshot and sends any other URL to the
 * real fetch; afterwards, and after a throw, the original fetch is back.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../shared/schema.js';
import { createMockFetch, withMockFetch } from '../testing/index.js';
import { bodyOf, DEMO, demoCalls, eventsOf, QUESTION } from './support/demo-calls.js';

let demo: Map<number, Call>;
let other: Server;
let otherUrl: string;
const otherRequests: string[] = [];

beforeAll(async () => {
  demo = await demoCalls();
  other = createServer((req, res) => {
    otherRequests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('from the real server');
  });
  other.listen(0, '127.0.0.1');
  await once(other, 'listening');
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  other.close();
  await once(other, 'close');
});

const gemini = (): GoogleGenAI => new GoogleGenAI({ apiKey: 'test', vertexai: false });

describe('withMockFetch with @google/genai', () => {
  it('answers generateContent with the recorded reply', async () => {
    const recorded = bodyOf(demo.get(6)) as {
      candidates: Array<{ content: { parts: unknown[] } }>;
    };
    const r = await withMockFetch({ snapshot: DEMO }, async (mock) => {
      const reply = await gemini().models.generateContent({
        model: 'gemini-2.5-flash',
        contents: QUESTION,
        config: {
          tools: [
            {
              functionDeclarations: [
                { name: 'get_weather', description: 'Current weather for a city' },
              ],
            },
          ],
        },
      });
      expect(mock.calls).toHaveLength(1);
      expect(mock.calls[0]).toMatchObject({
        provider: 'gemini',
        model: 'gemini-2.5-flash',
        call: demo.get(6)?.id,
        status: 200,
      });
      return reply;
    });
    expect(r.candidates?.[0]?.content?.parts).toEqual(recorded.candidates[0]?.content.parts);
    expect(r.functionCalls?.[0]).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } });
  });

  it('streams generateContentStream as the recorded chunks', async () => {
    const recorded = eventsOf(demo.get(7)) as Array<{
      candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
    }>;
    const texts = await withMockFetch({ snapshot: DEMO }, async () => {
      const stream = await gemini().models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: 'What is the capital of France?',
      });
      const out: string[] = [];
      for await (const chunk of stream) out.push(chunk.text ?? '');
      return out;
    });
    expect(texts).toEqual(recorded.map((e) => e.candidates[0]?.content.parts[0]?.text));
    expect(texts.join('')).toBe('The capital of France is Paris.');
  });

  it('restores globalThis.fetch after fn, and after fn throws', async () => {
    const original = globalThis.fetch;
    let inside: typeof fetch | null = null;
    await withMockFetch({ snapshot: DEMO }, () => {
      inside = globalThis.fetch;
    });
    expect(inside).not.toBe(original);
    expect(globalThis.fetch).toBe(original);

    const thrown = new Error('the test failed');
    await expect(
      withMockFetch({ snapshot: DEMO }, async () => {
        await gemini()
          .models.generateContent({ model: 'gemini-2.5-flash', contents: 'not recorded' })
          .catch(() => undefined);
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(globalThis.fetch).toBe(original);
  });

  it('sends a URL of no known upstream to the real fetch', async () => {
    const mock = createMockFetch({ snapshot: DEMO });
    const text = await withMockFetch(mock, async () => {
      const res = await fetch(`${otherUrl}/health?x=1`);
      return res.text();
    });
    expect(text).toBe('from the real server');
    expect(otherRequests).toEqual(['GET /health?x=1']);
    // Not the mock's business: it neither answered nor recorded it.
    expect(mock.handles(`${otherUrl}/health`)).toBe(false);
    expect(mock.calls).toEqual([]);
  });
});
