/** Embeddings replies: input tokens only, and no text to read. */
import { countAt, objectAt, stringAt } from '../../providers/json.js';
import { replyChunks, type Reading } from '../../providers/reading.js';
import type { RecordedResponse } from '../../schema.js';
import { hasAnyCount, reportedCostUsd } from '../openai-common/usage.js';

export function readOpenAIEmbeddings(response: RecordedResponse): Reading {
  const body = replyChunks(response)[0]?.json;
  const usage = objectAt(body, 'usage');
  const found = usage && hasAnyCount(usage, ['prompt_tokens', 'total_tokens']) ? usage : undefined;
  return {
    model: stringAt(body, 'model') ?? null,
    usage: found
      ? {
          inputTokens: countAt(found, 'prompt_tokens') || countAt(found, 'total_tokens'),
          outputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 0,
        }
      : null,
    providerCostUsd: found ? reportedCostUsd(found) : null,
    replyText: () => '',
  };
}
