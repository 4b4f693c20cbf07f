/**
 * A scripted reply rendered by the gemini adapter reads, through the real `@google/genai` SDK
 * (`generateContent`, `generateContentStream`), as the reply it scripts: text and function-call
 * parts with object args, usage metadata, finish reasons in Gemini's words; a stream without
 * `?alt=sse` is one JSON array of the same chunks.
 */
import { FinishReason, GoogleGenAI } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterOf } from '../shared/adapters/registry.js';
import type { ScriptedResponse } from '../shared/scripted-reply.js';
import { startScriptedServer, type ScriptedServer } from './support/scripted-server.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function clientFor(
  replies: ScriptedResponse[],
): Promise<{ client: GoogleGenAI; server: ScriptedServer }> {
  const server = await startScriptedServer('gemini', replies);
  servers.push(server);
  return { client: new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: server.url } }), server };
}

const MODEL = 'gemini-2.5-flash';

const REPLY: ScriptedResponse = {
  content: 'I will check the weather in Paris.',
  tokens: 10,
  toolCalls: [
    { name: 'get_weather', arguments: '{"city":"Paris"}' },
    { id: 'call-given', name: 'lookup', arguments: { q: 'été' } },
  ],
};

const EXPECTED_CALLS = [
  { name: 'get_weather', args: { city: 'Paris' } },
  { id: 'call-given', name: 'lookup', args: { q: 'été' } },
];

interface Chunk {
  candidates: { content: { parts: { text?: string }[] }; finishReason?: string }[];
  usageMetadata: Record<string, number>;
  modelVersion: string;
}

describe('scripted gemini replies', () => {
  it('answers generateContent with text and function-call parts', async () => {
    const { client, server } = await clientFor([REPLY]);
    const r = await client.models.generateContent({ model: MODEL, contents: 'weather?' });
    expect(r.modelVersion).toBe(MODEL);
    expect(r.responseId).toBe('tapedeck-0');
    const candidate = r.candidates?.[0];
    expect(candidate?.content?.role).toBe('model');
    expect(candidate?.content?.parts?.[0]).toEqual({ text: 'I will check the weather in Paris.' });
    expect(r.functionCalls).toEqual(EXPECTED_CALLS);
    expect(candidate?.finishReason).toBe(FinishReason.STOP);
    expect(r.usageMetadata).toMatchObject({
      promptTokenCount: 3,
      candidatesTokenCount: 7,
      totalTokenCount: 10,
    });

    const response = server.exchanges[0]!.response;
    expect(adapterOf('gemini').read(response).usage).toMatchObject({
      inputTokens: 3,
      outputTokens: 7,
    });
  });

  it("gives finish reasons in Gemini's words, passing its own, in the reply's model", async () => {
    const { client } = await clientFor([
      { content: 'a', finishReason: 'length', model: 'gemini-2.5-pro' },
      { content: 'b', finishReason: 'content_filter' },
      { toolCalls: [{ name: 'f' }] },
      { content: 'd', finishReason: 'RECITATION' },
    ]);
    const got: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await client.models.generateContent({ model: MODEL, contents: 'x' });
      got.push([
        r.modelVersion,
        r.candidates?.[0]?.finishReason,
        r.candidates?.[0]?.content?.parts,
      ]);
    }
    expect(got).toEqual([
      ['gemini-2.5-pro', 'MAX_TOKENS', [{ text: 'a' }]],
      [MODEL, 'SAFETY', [{ text: 'b' }]],
      [MODEL, 'STOP', [{ functionCall: { name: 'f', args: {} } }]],
      [MODEL, 'RECITATION', [{ text: 'd' }]],
    ]);
  });

  it('streams SSE chunks that generateContentStream yields, the last with finish and usage', async () => {
    const { client, server } = await clientFor([REPLY]);
    const stream = await client.models.generateContentStream({ model: MODEL, contents: 'x' });
    const texts: string[] = [];
    const calls: unknown[] = [];
    const finishes: (string | undefined)[] = [];
    let lastUsage: unknown;
    for await (const chunk of stream) {
      // Read from the parts: the SDK's `text` getter warns on a chunk of function calls.
      for (const part of chunk.candidates?.[0]?.content?.parts ?? [])
        if (part.text !== undefined) texts.push(part.text);
      calls.push(...(chunk.functionCalls ?? []));
      finishes.push(chunk.candidates?.[0]?.finishReason);
      lastUsage = chunk.usageMetadata;
    }
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join('')).toBe('I will check the weather in Paris.');
    expect(calls).toEqual(EXPECTED_CALLS);
    expect(finishes.at(-1)).toBe('STOP');
    expect(finishes.slice(0, -1).every((f) => f === undefined)).toBe(true);
    expect(lastUsage).toMatchObject({
      promptTokenCount: 3,
      candidatesTokenCount: 7,
      totalTokenCount: 10,
    });

    const { request, response } = server.exchanges[0]!;
    expect(request.search).toContain('alt=sse');
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(response.stream?.every((e) => e.event === undefined)).toBe(true);
  });

  it('answers a stream without ?alt=sse as one JSON array of the same chunks', async () => {
    const { server } = await clientFor([
      { content: 'The capital of France is Paris.', tokens: 10 },
    ]);
    const res = await fetch(`${server.url}/v1beta/models/${MODEL}:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }),
    });
    expect(res.headers.get('content-type')).toBe('application/json');
    const chunks = (await res.json()) as Chunk[];
    expect(Array.isArray(chunks)).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.candidates[0]?.content.parts[0]?.text).join('')).toBe(
      'The capital of France is Paris.',
    );
    expect(chunks.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
    expect(chunks.at(-1)?.usageMetadata).toMatchObject({
      promptTokenCount: 3,
      candidatesTokenCount: 7,
      totalTokenCount: 10,
    });
    expect(chunks.every((c) => c.modelVersion === MODEL)).toBe(true);

    const response = server.exchanges[0]!.response;
    expect(adapterOf('gemini').replyText(response)).toBe('The capital of France is Paris.');
    expect(adapterOf('gemini').read(response).usage).toMatchObject({
      inputTokens: 3,
      outputTokens: 7,
    });
  });
});
