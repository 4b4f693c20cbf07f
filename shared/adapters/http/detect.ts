/**
 * Endpoints beside the model families that bill nothing themselves; every path no adapter
 * detects is plain HTTP too (the registry's fallback, api `http`). The retrieve rule leaves out
 * the Responses sub-paths the openai-responses adapter owns, so no path is detected twice.
 */
import type { DetectRule } from '../detect-table.js';

export const HTTP_ROUTES: readonly DetectRule[] = [
  { pattern: /\/responses\/input_tokens$/, api: 'responses.input_tokens' },
  // Reading a stored response again must not count its tokens a second time.
  { pattern: /\/responses\/(?!compact$|input_tokens$)[^/]+$/, api: 'responses.retrieve' },
  { pattern: /\/v\d+[a-z0-9]*\/messages\/count_tokens$/, api: 'messages.count_tokens' },
  { pattern: /:countTokens$/, api: 'countTokens' },
];
