import type { DetectRule } from '../detect-table.js';

export const OPENAI_EMBEDDINGS_ROUTES: readonly DetectRule[] = [
  { pattern: /\/embeddings$/, api: 'embeddings' },
];
