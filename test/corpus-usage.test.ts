/**
 * Usage extraction against real recorded traffic: every interaction of ../shared/corpus goes through
 * analyzeExchange, and the token counts are checked against a separate, deliberately plain reading
 * of the raw JSON.
 */
import { describe, expect, it } from 'vitest';
import { analyzeExchange } from '../shared/providers/analyze.js';
import { routeOf as routeOfPath } from '../shared/adapters/registry.js';
import type { RecordedResponse } from '../shared/schema.js';
import {
  corpusDir,
  corpusPresent,
  loadCorpusExchanges,
  routeOf,
} from './support/corpus-exchanges.js';

type Obj = Record<string, unknown>;
type Family = 'chat' | 'responses' | 'anthropic' | 'gemini' | 'none';

const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const n = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** Family from the URL alone, written independently of the adapters' detection tables. */
function familyOf(pathname: string): Family {
  if (pathname.endsWith('/chat/completions')) return 'chat';
  if (pathname.endsWith('/responses') || pathname.endsWith('/responses/compact'))
    return 'responses';
  // Fetching a stored or background response: the Response object, usage and all.
  if (/\/responses\/resp_[^/]+$/.test(pathname)) return 'responses';
  if (pathname.endsWith('/v1/messages')) return 'anthropic';
  if (/:(stream)?generateContent$/i.test(pathname)) return 'gemini';
  return 'none';
}

function docs(res: RecordedResponse): unknown[] {
  if (res.stream) {
    return res.stream.flatMap((e) => {
      try {
        return e.data && e.data !== '[DONE]' ? [JSON.parse(e.data) as unknown] : [];
      } catch {
        return [];
      }
    });
  }
  return Array.isArray(res.body) ? res.body : res.body === undefined ? [] : [res.body];
}

interface Expected {
  input: number;
  output: number;
}

function expectedChat(all: unknown[]): Expected | null {
  let found: Expected | null = null;
  for (const d of all) {
    const u = obj(obj(d)?.['usage']);
    if (u && typeof u['prompt_tokens'] === 'number')
      found = { input: n(u['prompt_tokens']), output: n(u['completion_tokens']) };
  }
  return found;
}

function expectedResponses(all: unknown[], streamed: boolean): Expected | null {
  let found: Expected | null = null;
  for (const d of all) {
    const u = obj(obj(streamed ? obj(d)?.['response'] : d)?.['usage']);
    if (u && typeof u['input_tokens'] === 'number')
      found = { input: n(u['input_tokens']), output: n(u['output_tokens']) };
  }
  return found;
}

function anthropicTotals(u: Obj): Expected {
  const all = (x: Obj) =>
    n(x['input_tokens']) + n(x['cache_creation_input_tokens']) + n(x['cache_read_input_tokens']);
  // Compaction and advisor passes are billed on top of the final pass the top-level fields
  // describe (an advisor pass at its own model's price).
  const passes = Array.isArray(u['iterations']) ? (u['iterations'] as Obj[]) : [];
  if (passes.length > 0) {
    return {
      input: passes.reduce((s, p) => s + all(p), 0),
      output: passes.reduce((s, p) => s + n(p['output_tokens']), 0),
    };
  }
  return { input: all(u), output: n(u['output_tokens']) };
}

function expectedAnthropic(all: unknown[], streamed: boolean): Expected | null {
  if (!streamed) {
    const body = obj(all[0]);
    const u = obj(body?.['usage']);
    return u ? anthropicTotals(u) : null;
  }
  const startMsg = obj(all.map(obj).find((d) => d?.['type'] === 'message_start')?.['message']);
  const start = obj(startMsg?.['usage']);
  const last = obj(
    all
      .map(obj)
      .filter((d) => d?.['type'] === 'message_delta')
      .at(-1)?.['usage'],
  );
  if (!start && !last) return null;
  const pick = (k: string) => (n(last?.[k]) > 0 ? n(last?.[k]) : n(start?.[k]));
  const merged: Obj = {
    input_tokens: pick('input_tokens'),
    cache_creation_input_tokens: pick('cache_creation_input_tokens'),
    cache_read_input_tokens: pick('cache_read_input_tokens'),
    output_tokens: pick('output_tokens'),
    iterations: last?.['iterations'],
  };
  return anthropicTotals(merged);
}

function expectedGemini(all: unknown[]): Expected | null {
  let found: Expected | null = null;
  for (const d of all) {
    const m = obj(obj(d)?.['usageMetadata']);
    // A blocked prompt's usageMetadata has no counts at all: that still is the provider's usage.
    if (m) {
      found = {
        input: n(m['promptTokenCount']) + n(m['toolUsePromptTokenCount']),
        output: n(m['candidatesTokenCount']) + n(m['thoughtsTokenCount']),
      };
    }
  }
  return found;
}

function expectedUsage(family: Family, res: RecordedResponse): Expected | null {
  const all = docs(res);
  const streamed = res.stream !== undefined;
  switch (family) {
    case 'chat':
      return expectedChat(all);
    case 'responses':
      return expectedResponses(all, streamed);
    case 'anthropic':
      return expectedAnthropic(all, streamed);
    case 'gemini':
      return expectedGemini(all);
    case 'none':
      return null;
  }
}

const FAMILY_NAME: Record<Family, string> = {
  chat: 'openai-chat',
  responses: 'openai-responses',
  anthropic: 'anthropic-messages',
  gemini: 'gemini',
  none: 'http',
};

describe.skipIf(!corpusPresent)('usage from the recorded corpus', () => {
  it('reads provider usage wherever the raw reply has it, with the same numbers', () => {
    const interactions = loadCorpusExchanges();
    const tally: Record<string, number> = {};
    let checked = 0;
    for (const ix of interactions) {
      const { upstream, path } = routeOf(ix.url);
      const family = familyOf(ix.url.pathname);
      const ctx = `${ix.where} ${ix.request.method} ${ix.url.pathname}`;
      expect(routeOfPath(path).family, ctx).toBe(FAMILY_NAME[family]);
      const analysis = analyzeExchange({
        upstream,
        path,
        request: ix.request,
        response: ix.response,
      });
      const status = ix.response.status;
      if (status >= 400) {
        expect(analysis.usage, ctx).toBeNull();
      } else if (status >= 200 && status < 300) {
        const expected = expectedUsage(family, ix.response);
        if (family === 'none') {
          expect(analysis.usage, ctx).toBeNull();
        } else if (expected) {
          expect(analysis.usage, ctx).toMatchObject({
            source: 'provider',
            inputTokens: expected.input,
            outputTokens: expected.output,
          });
        } else if (analysis.api === 'responses.retrieve') {
          // A fetch without usage is not estimated: the usage belongs to the response's own call.
          expect(analysis.usage, ctx).toBeNull();
        } else {
          expect(analysis.usage?.source, ctx).toBe('estimated');
        }
        const key = `${FAMILY_NAME[family]} ${family === 'none' ? 'no usage' : (analysis.usage?.source ?? 'none')}`;
        tally[key] = (tally[key] ?? 0) + 1;
      }
      checked += 1;
    }
    console.log(
      `corpus: ${checked} interactions checked from ${corpusDir}\n` +
        Object.entries(tally)
          .sort()
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n'),
    );
    expect(checked).toBeGreaterThan(200);
    expect(tally['anthropic-messages provider']).toBeGreaterThan(0);
    expect(tally['gemini provider']).toBeGreaterThan(0);
  });
});

if (!corpusPresent) {
  console.warn(
    `corpus-usage: skipped, no corpus at ${corpusDir} (a clone without ../shared has none)`,
  );
}
