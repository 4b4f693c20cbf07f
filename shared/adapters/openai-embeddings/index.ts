/** OpenAI-style embeddings: billed by input tokens, no reply text, no tool calls. */
import type { ProviderAdapter } from '../adapter.js';
import { detectBy } from '../detect-table.js';
import { openaiErrorOf } from '../openai-common/error.js';
import { requestModelOf } from '../request-model.js';
import { estimator, inputTextTokens } from '../../providers/estimate.js';
import { OPENAI_EMBEDDINGS_ROUTES } from './detect.js';
import { embeddingsPrompt } from './prompt.js';
import { readOpenAIEmbeddings } from './read.js';

export const openaiEmbeddingsAdapter: ProviderAdapter = {
  family: 'openai-embeddings',
  detect: detectBy(OPENAI_EMBEDDINGS_ROUTES),
  compatibleProvider: 'openai-compatible',
  requestModel: requestModelOf,
  read: readOpenAIEmbeddings,
  estimate: estimator(inputTextTokens),
  toolCalls: null,
  error: openaiErrorOf('openai-embeddings'),
  requiredField: { body: '$.data', event: '$.data' },
  prompt: embeddingsPrompt,
  replyText: () => null,
  deltaText: () => '',
  streamFraming: 'sse',
  scripted: null,
};
