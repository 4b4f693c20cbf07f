/** Gemini generateContent / streamGenerateContent (Google AI and Vertex AI). */
import type { ProviderAdapter } from '../adapter.js';
import { detectBy } from '../detect-table.js';
import { requestModelOf } from '../request-model.js';
import { estimator } from '../../providers/estimate.js';
import { GEMINI_ROUTES } from './detect.js';
import { geminiError } from './error.js';
import { geminiTokens } from './estimate.js';
import { geminiPrompt } from './prompt.js';
import { readGemini } from './read.js';
import { geminiDeltaText, geminiReplyText } from './reply.js';
import { scriptedGemini } from './scripted.js';
import { geminiToolCalls } from './tool-calls.js';

export const geminiAdapter: ProviderAdapter = {
  family: 'gemini',
  detect: detectBy(GEMINI_ROUTES),
  compatibleProvider: 'gemini',
  requestModel: requestModelOf,
  read: readGemini,
  estimate: estimator(geminiTokens),
  toolCalls: geminiToolCalls,
  error: geminiError,
  requiredField: { body: '$.candidates', event: '$.candidates' },
  prompt: geminiPrompt,
  replyText: geminiReplyText,
  deltaText: geminiDeltaText,
  streamFraming: 'sse',
  scripted: scriptedGemini,
};
