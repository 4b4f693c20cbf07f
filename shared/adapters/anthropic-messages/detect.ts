import type { DetectRule } from '../detect-table.js';

export const ANTHROPIC_MESSAGES_ROUTES: readonly DetectRule[] = [
  // The version segment tells Messages from other `/messages` paths (OpenAI threads, for one).
  { pattern: /\/v\d+[a-z0-9]*\/messages$/, api: 'messages' },
];
