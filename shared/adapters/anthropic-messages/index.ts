/** Anthropic Messages (`/v1/messages`), streamed as named SSE events or not. */
import type { ProviderAdapter } from '../adapter.js';
import { detectBy } from '../detect-table.js';
import { requestModelOf } from '../request-model.js';
import { estimator } from '../../providers/estimate.js';
import { ANTHROPIC_MESSAGES_ROUTES } from './detect.js';
import { anthropicError } from './error.js';
import { anthropicTokens } from './estimate.js';
import { anthropicPrompt } from './prompt.js';
import { readAnthropic } from './read.js';
import { anthropicDeltaText, anthropicReplyText } from './reply.js';
import { scriptedAnthropic } from './scripted.js';
import { anthropicToolCalls } from './tool-calls.js';

export const anthropicMessagesAdapter: ProviderAdapter = {
  family: 'anthropic-messages',
  detect: detectBy(ANTHROPIC_MESSAGES_ROUTES),
  compatibleProvider: 'anthropic',
  requestModel: requestModelOf,
  read: readAnthropic,
  estimate: estimator(anthropicTokens),
  toolCalls: anthropicToolCalls,
  error: anthropicError,
  requiredField: { body: '$.content', event: '$.delta' },
  prompt: anthropicPrompt,
  replyText: anthropicReplyText,
  deltaText: anthropicDeltaText,
  streamFraming: 'sse',
  scripted: scriptedAnthropic,
};
