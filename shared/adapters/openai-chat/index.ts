/** OpenAI Chat Completions, as OpenAI, xAI, OpenRouter, Groq and compatible servers speak it. */
import type { ProviderAdapter } from '../adapter.js';
import { detectBy } from '../detect-table.js';
import { openaiErrorOf } from '../openai-common/error.js';
import { requestModelOf } from '../request-model.js';
import { estimator } from '../../providers/estimate.js';
import { OPENAI_CHAT_ROUTES } from './detect.js';
import { chatTokens } from './estimate.js';
import { chatPrompt } from './prompt.js';
import { readOpenAIChat } from './read.js';
import { chatDeltaText, chatReplyText } from './reply.js';
import { scriptedChat } from './scripted.js';
import { openaiChatToolCalls } from './tool-calls.js';

export const openaiChatAdapter: ProviderAdapter = {
  family: 'openai-chat',
  detect: detectBy(OPENAI_CHAT_ROUTES),
  compatibleProvider: 'openai-compatible',
  requestModel: requestModelOf,
  read: readOpenAIChat,
  estimate: estimator(chatTokens),
  toolCalls: openaiChatToolCalls,
  error: openaiErrorOf('openai-chat'),
  requiredField: { body: '$.choices', event: '$.choices' },
  prompt: chatPrompt,
  replyText: chatReplyText,
  deltaText: chatDeltaText,
  streamFraming: 'sse',
  scripted: scriptedChat,
};
