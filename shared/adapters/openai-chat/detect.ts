import type { DetectRule } from '../detect-table.js';

export const OPENAI_CHAT_ROUTES: readonly DetectRule[] = [
  { pattern: /\/chat\/completions$/, api: 'chat.completions' },
];
