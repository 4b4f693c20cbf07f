/**
 * The misses panel marks, on each side, only the words that side has alone (jsdiff's diffWords):
 * for a long prompt with one changed word, one word is marked on each side.
 */
import { describe, expect, it } from 'vitest';
import { bodyPath, queryPath } from '../renderer/src/mock/diff-paths.js';
import { valueText, wordDiff, type Segment } from '../renderer/src/mock/word-diff.js';

const marked = (segs: Segment[]) => segs.filter((s) => s.changed).map((s) => s.text.trim());
const text = (segs: Segment[]) => segs.map((s) => s.text).join('');

describe('wordDiff', () => {
  it('marks only the changed word of a long prompt', () => {
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`);
    const recorded = `Summarize the quarterly report: ${words.join(' ')}`;
    const request = recorded.replace('quarterly', 'weekly');
    const d = wordDiff(recorded, request);
    expect(marked(d.recorded)).toEqual(['quarterly']);
    expect(marked(d.request)).toEqual(['weekly']);
    // Each side still reads as its whole value.
    expect(text(d.recorded)).toBe(recorded);
    expect(text(d.request)).toBe(request);
  });

  it('marks an added word on the request side only', () => {
    const d = wordDiff('Translate to French', 'Translate this to French');
    expect(marked(d.recorded)).toEqual([]);
    expect(marked(d.request)).toEqual(['this']);
  });

  it('joins neighbouring segments of the same kind', () => {
    const d = wordDiff('a b c', 'x y z');
    expect(d.recorded).toEqual([{ text: 'a b c', changed: true }]);
    expect(d.request).toEqual([{ text: 'x y z', changed: true }]);
  });

  it('marks nothing when the strings are equal', () => {
    const d = wordDiff('same words', 'same words');
    expect(marked(d.recorded)).toEqual([]);
    expect(marked(d.request)).toEqual([]);
  });
});

describe('valueText', () => {
  it('shows strings as they are and the rest as JSON', () => {
    expect(valueText('gpt-4*')).toBe('gpt-4*');
    expect(valueText({ $regex: '^a' })).toBe('{"$regex":"^a"}');
    expect(valueText(0.2)).toBe('0.2');
    expect(valueText(undefined)).toBe('');
  });
});

describe('diff paths', () => {
  it('spell body and query places as the matcher does', () => {
    expect(bodyPath(['messages', 1, 'content'])).toBe('$.messages[1].content');
    expect(bodyPath(['odd-key'])).toBe('$["odd-key"]');
    expect(bodyPath(['query', 'x'])).toBe('$.body.query.x');
    expect(bodyPath([])).toBe('body');
    expect(queryPath(['t'])).toBe('$.query.t');
    expect(queryPath([])).toBe('query');
  });
});
