/**
 * `tokenSplit`: the usage a scripted reply reports. Given counts win, `tokens` alone splits as
 * ModelMesh does (prompt = floor(tokens / 3)), and a count never goes below zero.
 */
import { describe, expect, it } from 'vitest';
import { tokenSplit, type ScriptedResponse } from '../shared/scripted-reply.js';

const cases: [string, ScriptedResponse, [number, number, number]][] = [
  ['nothing given is zero', {}, [0, 0, 0]],
  ['tokens alone: a third is prompt, rounded down', { tokens: 10 }, [3, 7, 10]],
  ['tokens 11', { tokens: 11 }, [3, 8, 11]],
  ['tokens 2: all completion', { tokens: 2 }, [0, 2, 2]],
  ['tokens 0', { tokens: 0 }, [0, 0, 0]],
  ['prompt alone', { promptTokens: 5 }, [5, 0, 5]],
  ['completion alone', { completionTokens: 4 }, [0, 4, 4]],
  ['both counts, no total: their sum', { promptTokens: 2, completionTokens: 5 }, [2, 5, 7]],
  ['tokens and prompt: completion is the rest', { tokens: 10, promptTokens: 4 }, [4, 6, 10]],
  ['tokens and completion: prompt is the rest', { tokens: 10, completionTokens: 4 }, [6, 4, 10]],
  [
    'all three given are kept as given, even when they do not add up',
    { tokens: 10, promptTokens: 2, completionTokens: 3 },
    [2, 3, 10],
  ],
  ['a prompt larger than tokens leaves no completion', { tokens: 2, promptTokens: 5 }, [5, 0, 2]],
  [
    'a completion larger than tokens leaves no prompt',
    { tokens: 2, completionTokens: 5 },
    [0, 5, 2],
  ],
];

describe('tokenSplit', () => {
  for (const [name, reply, [prompt, completion, total]] of cases)
    it(name, () => {
      expect(tokenSplit(reply)).toEqual({ prompt, completion, total });
    });
});
