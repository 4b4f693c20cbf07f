/** generateContent rows: shapes from ../shared/corpus (gemini cassettes). */
import type { AdapterCase } from './case.js';

export const cases: AdapterCase[] = [
  {
    name: 'function call, not streamed, Vertex AI path (model only in the path)',
    family: 'gemini',
    path: '/v1beta1/projects/p/locations/global/publishers/google/models/gemini-2.5-flash:generateContent',
    api: 'generateContent',
    request: {
      contents: [{ role: 'user', parts: [{ text: 'What is the weather in Paris?' }] }],
      systemInstruction: { role: 'user', parts: [{ text: 'Use the tools.' }] },
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Current weather for a city.',
              parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } },
            },
          ],
        },
      ],
    },
    model: 'gemini-2.5-flash',
    response: {
      status: 200,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: {
        candidates: [
          {
            content: {
              parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }],
              role: 'model',
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: 60,
          candidatesTokenCount: 6,
          totalTokenCount: 90,
          thoughtsTokenCount: 24,
        },
        modelVersion: 'gemini-2.5-flash',
        responseId: 'x7U3aPzLIvWe1MkP6cLn4Ag',
      },
    },
    usage: {
      inputTokens: 60,
      outputTokens: 30,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 24,
    },
    replyText: '',
    toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
  },
  {
    name: 'text, streamed as SSE chunks with running totals',
    family: 'gemini',
    path: '/v1beta/models/gemini-2.0-flash:streamGenerateContent',
    api: 'streamGenerateContent',
    request: { contents: [{ role: 'user', parts: [{ text: 'Say hello in French.' }] }] },
    model: 'gemini-2.0-flash',
    response: {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      stream: [
        {
          at: 400,
          data: '{"candidates": [{"content": {"parts": [{"text": "Bon"}],"role": "model"}}],"usageMetadata": {"promptTokenCount": 6,"totalTokenCount": 6},"modelVersion": "gemini-2.0-flash"}',
        },
        {
          at: 450,
          data: '{"candidates": [{"content": {"parts": [{"text": "jour !"}],"role": "model"},"finishReason": "STOP"}],"usageMetadata": {"promptTokenCount": 6,"candidatesTokenCount": 3,"totalTokenCount": 9},"modelVersion": "gemini-2.0-flash"}',
        },
      ],
    },
    usage: {
      inputTokens: 6,
      outputTokens: 3,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: 'Bonjour !',
    toolCalls: [],
  },
];
