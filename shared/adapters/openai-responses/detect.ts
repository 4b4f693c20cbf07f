import type { DetectRule } from '../detect-table.js';

export const OPENAI_RESPONSES_ROUTES: readonly DetectRule[] = [
  { pattern: /\/responses$/, api: 'responses' },
  // Compaction is a billed model pass that answers with a Responses-style usage object.
  { pattern: /\/responses\/compact$/, api: 'responses.compact' },
  // Fetching a stored or background response: its usage counts once per response id, across
  // the snapshot (shared/usage-once.ts), however often it is polled.
  { pattern: /\/responses\/(?!compact$|input_tokens$)[^/]+$/, api: 'responses.retrieve' },
];
