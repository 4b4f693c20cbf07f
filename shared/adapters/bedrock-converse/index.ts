/**
 * Amazon Bedrock Converse (`POST /model/{modelId}/converse` and `/converse-stream`): the model is
 * named by the path, replies carry `usage` (streamed: in the last `metadata` event), and the
 * stream is binary AWS event-stream framing (see eventstream.ts, frames.ts).
 */
import { countTextTokens } from '../../providers/estimate.js';
import type { ProviderAdapter } from '../adapter.js';
import { bedrockModelFromPath, detectBedrockConverse } from './detect.js';
import { bedrockPrompt, bedrockInputTokens } from './prompt.js';
import { bedrockDeltaText, bedrockReplyText, readBedrock } from './read.js';
import { bedrockError } from './errors.js';
import { bedrockToolCalls } from './tool-calls.js';

export const bedrockConverseAdapter: ProviderAdapter = {
  family: 'bedrock-converse',
  detect: detectBedrockConverse,
  compatibleProvider: 'bedrock',
  requestModel: (path) => bedrockModelFromPath(path),
  read: readBedrock,
  estimate: (requestBody, replyText) => ({
    inputTokens: bedrockInputTokens(requestBody),
    outputTokens: countTextTokens(replyText),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  }),
  toolCalls: bedrockToolCalls,
  error: bedrockError,
  // Without `output` the SDK's reply has no message; without `delta` a stream event has no text.
  requiredField: { body: '$.output', event: '$.delta' },
  prompt: bedrockPrompt,
  replyText: bedrockReplyText,
  deltaText: (e) => bedrockDeltaText(e, 'text'),
  streamFraming: 'aws-eventstream',
  scripted: null,
};
