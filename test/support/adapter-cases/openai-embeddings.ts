/** Embeddings rows: the corpus has none, so the shape is OpenAI's documented reply. */
import type { AdapterCase } from './case.js';

export const cases: AdapterCase[] = [
  {
    name: 'two inputs, Azure OpenAI prefix',
    family: 'openai-embeddings',
    path: '/openai/v1/embeddings',
    api: 'embeddings',
    request: {
      model: 'text-embedding-3-small',
      input: ['The food was delicious.', 'The waiter was friendly.'],
      encoding_format: 'float',
    },
    model: 'text-embedding-3-small',
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        object: 'list',
        data: [
          { object: 'embedding', index: 0, embedding: [0.0023064255, -0.009327292, 0.015797347] },
          { object: 'embedding', index: 1, embedding: [-0.0028842222, 0.011419832, -0.01034543] },
        ],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 11, total_tokens: 11 },
      },
    },
    usage: {
      inputTokens: 11,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    replyText: null,
    toolCalls: [],
  },
];
