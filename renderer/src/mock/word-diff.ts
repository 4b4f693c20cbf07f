/**
 * Where a recorded value and a request's value differ, word by word (jsdiff's `diffWords`): for a
 * long prompt only the changed words are marked, on each side the words that side has alone.
 */
import { diffWords } from 'diff';

export interface Segment {
  text: string;
  /** Only this side has these words. */
  changed: boolean;
}

export interface WordDiff {
  recorded: Segment[];
  request: Segment[];
}

function append(out: Segment[], text: string, changed: boolean): void {
  if (text === '') return;
  const last = out.at(-1);
  if (last && last.changed === changed) last.text += text;
  else out.push({ text, changed });
}

export function wordDiff(recorded: string, request: string): WordDiff {
  const out: WordDiff = { recorded: [], request: [] };
  for (const part of diffWords(recorded, request)) {
    if (part.added) append(out.request, part.value, true);
    else if (part.removed) append(out.recorded, part.value, true);
    else {
      append(out.recorded, part.value, false);
      append(out.request, part.value, false);
    }
  }
  return out;
}

/** How a value outside a string diff reads: strings as they are, the rest as compact JSON. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v) ?? String(v);
}
