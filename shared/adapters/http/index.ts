/**
 * Plain HTTP: anything that is not a model call of a known family (count-token endpoints,
 * retrieval, custom APIs). Not billed, so nothing is read or estimated from its replies.
 */
import type { ProviderAdapter } from '../adapter.js';
import { detectBy } from '../detect-table.js';
import { requestModelOf } from '../request-model.js';
import { estimator, inputTextTokens } from '../../providers/estimate.js';
import { HTTP_ROUTES } from './detect.js';
import { httpError } from './error.js';

export const httpAdapter: ProviderAdapter = {
  family: 'http',
  detect: detectBy(HTTP_ROUTES),
  compatibleProvider: 'http',
  requestModel: requestModelOf,
  read: () => ({ model: null, usage: null, providerCostUsd: null, replyText: () => '' }),
  estimate: estimator(inputTextTokens),
  toolCalls: null,
  error: httpError,
  requiredField: { body: '$', event: '$' },
  prompt: () => null,
  replyText: () => null,
  deltaText: () => '',
  streamFraming: 'sse',
  scripted: null,
};
