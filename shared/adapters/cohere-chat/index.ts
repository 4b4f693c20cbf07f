/**
 * Cohere v2 chat (`POST /v2/chat`, streamed when the body says `"stream": true`): the model is the
 * body's `model`, usage is `usage.billed_units` (streamed: `message-end`'s `delta.usage`), and the
 * stream is SSE whose events name their type in the data as well.
 */
import { countTextTokens } from '../../providers/estimate.js';
import { stringAt } from '../../providers/json.js';
import type { ProviderAdapter } from '../adapter.js';
import { detectCohereChat } from './detect.js';
import { coherePrompt, cohereInputTokens } from './prompt.js';
import { cohereDeltaText, cohereReplyText, readCohere } from './read.js';
import { cohereError } from './errors.js';
import { cohereToolCalls } from './tool-calls.js';

export const cohereChatAdapter: ProviderAdapter = {
  family: 'cohere-chat',
  detect: detectCohereChat,
  compatibleProvider: 'cohere',
  requestModel: (_path, body) => stringAt(body, 'model') ?? null,
  read: readCohere,
  estimate: (requestBody, replyText) => ({
    inputTokens: cohereInputTokens(requestBody),
    outputTokens: countTextTokens(replyText),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  }),
  toolCalls: cohereToolCalls,
  error: cohereError,
  // Without `message` the SDK's reply has no content; without `delta` an event carries nothing.
  requiredField: { body: '$.message', event: '$.delta' },
  prompt: coherePrompt,
  replyText: cohereReplyText,
  deltaText: (e) => cohereDeltaText(e, 'text'),
  streamFraming: 'sse',
  scripted: null,
};
