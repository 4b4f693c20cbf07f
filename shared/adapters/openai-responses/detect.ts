import type { DetectRule } from '../detect-table.js';

export const OPENAI_RESPONSES_ROUTES: readonly DetectRule[] = [
  { pattern: /\/responses$/, api: 'responses' },
  // Compaction is a billed model pass that answers with a Responses-style usage object.
  { pattern: /\/responses\/compact$/, api: 'responses.compact' },
];
