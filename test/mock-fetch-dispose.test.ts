/**
 * `using` / `await using` a mock fetch: it answers inside its block and refuses every request once
 * the block is left, so a mock cannot outlive the test that made it.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createMockFetch, mockClient, type MockFetch } from '../testing/index.js';

const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('disposing a mock fetch', () => {
  it('using: answers in the block, rejects after it', async () => {
    let escaped: MockFetch;
    {
      using fetch = createMockFetch({ responses: [{ content: 'inside' }] });
      escaped = fetch;
      const client = new OpenAI({ apiKey: 'test', fetch, maxRetries: 0 });
      const r = await client.chat.completions.create(ask);
      expect(r.choices[0]?.message.content).toBe('inside');
    }
    await expect(escaped('https://api.openai.com/v1/chat/completions')).rejects.toThrow(/disposed/);
    // Through the SDK it is a connection error: the request never got an answer.
    const client = new OpenAI({ apiKey: 'test', fetch: escaped, maxRetries: 0 });
    await expect(client.chat.completions.create(ask)).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
    expect(escaped.calls).toHaveLength(1);
  });

  it('await using: the same, and forTest views share the disposal', async () => {
    let escaped: MockFetch;
    let view: MockFetch;
    {
      await using fetch = createMockFetch({ responses: [{ content: 'inside' }] });
      escaped = fetch;
      view = fetch.forTest('t1');
      const res = await view('https://api.openai.com/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ask),
      });
      expect(res.status).toBe(200);
    }
    await expect(escaped('https://api.openai.com/v1/chat/completions')).rejects.toThrow(/disposed/);
    await expect(view('https://api.openai.com/v1/chat/completions')).rejects.toThrow(/disposed/);
  });

  it('a mockClient disposes its fetch', async () => {
    let escaped: ReturnType<typeof mockClient>;
    {
      using client = mockClient({ responses: [{ content: 'inside' }] });
      escaped = client;
      expect((await client.chat.completions.create(ask)).choices[0]?.message.content).toBe(
        'inside',
      );
    }
    await expect(escaped.chat.completions.create(ask)).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
  });
});
