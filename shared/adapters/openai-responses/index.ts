/** The OpenAI Responses API (`/responses` and its billed `/responses/compact`). */
import type { ProviderAdapter } from '../adapter.js';
import { detectBy } from '../detect-table.js';
import { openaiErrorOf } from '../openai-common/error.js';
import { requestModelOf } from '../request-model.js';
import { estimator } from '../../providers/estimate.js';
import { OPENAI_RESPONSES_ROUTES } from './detect.js';
import { responsesTokens } from './estimate.js';
import { responsesPrompt } from './prompt.js';
import { readOpenAIResponses } from './read.js';
import { responsesDeltaText, responsesReplyText } from './reply.js';
import { scriptedResponses } from './scripted.js';
import { openaiResponsesToolCalls } from './tool-calls.js';

export const openaiResponsesAdapter: ProviderAdapter = {
  family: 'openai-responses',
  detect: detectBy(OPENAI_RESPONSES_ROUTES),
  compatibleProvider: 'openai-compatible',
  requestModel: requestModelOf,
  read: readOpenAIResponses,
  estimate: estimator(responsesTokens),
  toolCalls: openaiResponsesToolCalls,
  error: openaiErrorOf('openai-responses'),
  requiredField: { body: '$.output', event: '$.delta' },
  prompt: responsesPrompt,
  replyText: responsesReplyText,
  deltaText: responsesDeltaText,
  streamFraming: 'sse',
  scripted: scriptedResponses,
};
