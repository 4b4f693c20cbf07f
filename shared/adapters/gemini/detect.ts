import type { DetectRule } from '../detect-table.js';

export const GEMINI_ROUTES: readonly DetectRule[] = [
  { pattern: /:generateContent$/, api: 'generateContent' },
  { pattern: /:streamGenerateContent$/, api: 'streamGenerateContent' },
];
