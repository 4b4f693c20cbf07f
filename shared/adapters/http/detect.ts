/**
 * Endpoints beside the model families that bill nothing themselves; every path no adapter
 * detects is plain HTTP too (the registry's fallback, api `http`).
 */
import type { DetectRule } from '../detect-table.js';

export const HTTP_ROUTES: readonly DetectRule[] = [
  { pattern: /\/responses\/input_tokens$/, api: 'responses.input_tokens' },
  { pattern: /\/v\d+[a-z0-9]*\/messages\/count_tokens$/, api: 'messages.count_tokens' },
  { pattern: /:countTokens$/, api: 'countTokens' },
];
