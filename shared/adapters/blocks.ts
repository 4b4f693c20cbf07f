/** Building blocks of the conversation view every family's `prompt` reader shares. */
import type { Block } from './adapter.js';

/** JSON shown indented; a string that holds JSON (OpenAI tool arguments) is indented too. */
export function pretty(v: unknown): string {
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v;
    }
  }
  return JSON.stringify(v, null, 2) ?? String(v);
}

export function textBlock(text: string): Block {
  return { kind: 'text', text };
}

export function otherBlock(v: unknown, label?: string): Block {
  return label === undefined
    ? { kind: 'other', text: pretty(v) }
    : { kind: 'other', label, text: pretty(v) };
}

/** The text pieces of a reply joined as the person reads them: fragments of one text. */
export function joinedOrNull(pieces: readonly string[]): string | null {
  return pieces.some((p) => p !== '') ? pieces.join('') : null;
}
