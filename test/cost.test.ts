/**
 * Cost: the provider's own charge, then snapshot overrides, then the bundled genai-prices table;
 * expected values are computed by hand from the published per-million-token prices.
 */
import { calcPrice, extractUsage, findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { analyzeExchange, type Exchange } from '../shared/providers/analyze.js';
import {
  callCost,
  findOverride,
  globMatches,
  priceUsage,
  refCost,
  roundUsd,
} from '../shared/providers/cost.js';
import type { TokenCounts } from '../shared/providers/reading.js';
import type { PriceOverride } from '../shared/schema.js';

function ex(upstream: string, path: string, body: unknown, requestModel?: string): Exchange {
  return {
    upstream,
    path,
    request: {
      method: 'POST',
      url: `https://example.test${path}`,
      headers: {},
      body: requestModel ? { model: requestModel } : {},
    },
    response: { status: 200, headers: {}, body },
  };
}

const chat = (model: string, usage: Record<string, unknown>) => ({
  object: 'chat.completion',
  model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' } }],
  usage,
});

const miniUsage = {
  prompt_tokens: 1000,
  completion_tokens: 500,
  prompt_tokens_details: { cached_tokens: 200 },
};

describe('table prices (genai-prices)', () => {
  it('OpenAI gpt-4o-mini, cached input at the cache rate', () => {
    const a = analyzeExchange(
      ex('openai', '/v1/chat/completions', chat('gpt-4o-mini-2024-07-18', miniUsage)),
    );
    // $0.15 / M input, $0.075 / M cached input, $0.60 / M output
    expect(a.costSource).toBe('price-table');
    expect(a.costUsd).toBeCloseTo((800 * 0.15 + 200 * 0.075 + 500 * 0.6) / 1e6, 12);
  });

  it('Anthropic claude-sonnet-4-5 with cache writes and reads', () => {
    const body = {
      type: 'message',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      usage: {
        input_tokens: 500,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 400,
        output_tokens: 100,
      },
    };
    const a = analyzeExchange(ex('anthropic', '/v1/messages', body));
    // $3 / M input, $3.75 / M cache write, $0.30 / M cache read, $15 / M output
    expect(a.costUsd).toBeCloseTo((500 * 3 + 100 * 3.75 + 400 * 0.3 + 100 * 15) / 1e6, 12);
  });

  it('Gemini 2.5 Flash bills thoughts as output', () => {
    const body = {
      candidates: [],
      usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 100, thoughtsTokenCount: 400 },
      modelVersion: 'gemini-2.5-flash',
    };
    const a = analyzeExchange(
      ex('gemini', '/v1beta/models/gemini-2.5-flash:generateContent', body),
    );
    // $0.30 / M input, $2.50 / M output
    expect(a.costUsd).toBeCloseTo((1000 * 0.3 + 500 * 2.5) / 1e6, 12);
  });

  it('xAI without reported ticks is priced from the table under x-ai', () => {
    const a = analyzeExchange(
      ex(
        'xai',
        '/v1/chat/completions',
        chat('grok-4', { prompt_tokens: 1000, completion_tokens: 100 }),
      ),
    );
    // $3 / M input, $15 / M output
    expect(a).toMatchObject({ costSource: 'price-table' });
    expect(a.costUsd).toBeCloseTo((1000 * 3 + 100 * 15) / 1e6, 12);
  });

  it('an OpenAI-compatible upstream named after a known vendor uses that vendor’s prices', () => {
    const a = analyzeExchange(
      ex(
        'groq',
        '/openai/v1/chat/completions',
        chat('llama-3.3-70b-versatile', { prompt_tokens: 10_000, completion_tokens: 2000 }),
      ),
    );
    expect(a.provider).toBe('openai-compatible');
    // Groq: $0.59 / M input, $0.79 / M output
    expect(a.costUsd).toBeCloseTo((10_000 * 0.59 + 2000 * 0.79) / 1e6, 12);
  });

  it('a gateway\'s "vendor/model" name is priced by the vendor', () => {
    const a = analyzeExchange(
      ex(
        'gateway',
        '/v1/chat/completions',
        chat('openai/gpt-4o-mini', { prompt_tokens: 1000, completion_tokens: 500 }),
      ),
    );
    expect(a.costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
  });

  it('estimated usage is priced too', () => {
    const exchange = ex('openai', '/v1/chat/completions', chat('gpt-4o-mini', {}));
    exchange.request.body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello to the tape deck.' }],
    };
    const a = analyzeExchange(exchange);
    expect(a.usage?.source).toBe('estimated');
    expect(a.costSource).toBe('price-table');
    const u = a.usage ?? { inputTokens: 0, outputTokens: 0 };
    expect(a.costUsd).toBeCloseTo((u.inputTokens * 0.15 + u.outputTokens * 0.6) / 1e6, 12);
  });

  it('an unknown model has no cost, but keeps its usage', () => {
    const a = analyzeExchange(
      ex('openai', '/v1/chat/completions', chat('tapedeck-test-model-9000', miniUsage)),
    );
    expect(a).toMatchObject({
      costUsd: null,
      costSource: 'none',
      model: 'tapedeck-test-model-9000',
    });
    expect(a.usage?.source).toBe('provider');
  });

  it('no model anywhere means no cost', () => {
    const body = { choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } };
    const a = analyzeExchange(ex('openai', '/v1/chat/completions', body));
    expect(a).toMatchObject({ model: null, costUsd: null, costSource: 'none' });
  });
});

describe('price overrides', () => {
  const prices: Record<string, PriceOverride> = {
    '*': { inputMtok: 100, outputMtok: 100 },
    'gpt-4o-mini*': { inputMtok: 1, outputMtok: 4, cacheReadMtok: 0.5 },
  };

  it('win over the table, the most specific glob first', () => {
    const a = analyzeExchange(
      ex('openai', '/v1/chat/completions', chat('gpt-4o-mini-2024-07-18', miniUsage)),
      prices,
    );
    expect(a.costSource).toBe('price-table');
    expect(a.costUsd).toBeCloseTo((800 * 1 + 200 * 0.5 + 500 * 4) / 1e6, 12);
  });

  it('an exact key beats any glob', () => {
    const withExact = { ...prices, 'gpt-4o-mini-2024-07-18': { inputMtok: 2, outputMtok: 2 } };
    const a = analyzeExchange(
      ex('openai', '/v1/chat/completions', chat('gpt-4o-mini-2024-07-18', miniUsage)),
      withExact,
    );
    // Without cache rates, cached input is charged at the input rate.
    expect(a.costUsd).toBeCloseTo((1000 * 2 + 500 * 2) / 1e6, 12);
  });

  it('price cache writes at cacheWriteMtok', () => {
    const body = {
      type: 'message',
      model: 'my-claude',
      content: [],
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 1000,
        cache_read_input_tokens: 0,
        output_tokens: 0,
      },
    };
    const a = analyzeExchange(ex('anthropic', '/v1/messages', body), {
      'my-*': { inputMtok: 1, outputMtok: 1, cacheWriteMtok: 5 },
    });
    expect(a.costUsd).toBeCloseTo((10 * 1 + 1000 * 5) / 1e6, 12);
  });

  it('price models the table does not know', () => {
    const a = analyzeExchange(
      ex('openai', '/v1/chat/completions', chat('tapedeck-test-model-9000', miniUsage)),
      prices,
    );
    expect(a.costUsd).toBeCloseTo((1000 * 100 + 500 * 100) / 1e6, 12);
  });

  it('do not replace a cost the provider reported', () => {
    const body = chat('openai/gpt-4o-mini', {
      prompt_tokens: 10,
      completion_tokens: 10,
      cost: 0.42,
    });
    const a = analyzeExchange(ex('openrouter', '/v1/chat/completions', body), prices);
    expect(a).toMatchObject({ costUsd: 0.42, costSource: 'provider' });
  });

  it('globs match whole names; * is any run, ? one character, other characters are literal', () => {
    expect(globMatches('claude-*', 'claude-sonnet-4-5')).toBe(true);
    expect(globMatches('claude-*', 'my-claude-x')).toBe(false);
    expect(globMatches('gpt-4?', 'gpt-4o')).toBe(true);
    expect(globMatches('gpt-4.1', 'gpt-401')).toBe(false);
    expect(globMatches('*/gpt-4o', 'openai/gpt-4o')).toBe(true);
    expect(findOverride({ 'a*': { inputMtok: 1, outputMtok: 1 } }, 'b')).toBeUndefined();
    expect(findOverride(undefined, 'b')).toBeUndefined();
  });
});

describe('callCost: one precedence for recording, inspect, the host and the UI', () => {
  const usage: TokenCounts = {
    inputTokens: 1000,
    outputTokens: 500,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
  const base = {
    provider: 'openai',
    upstream: 'openai',
    model: 'gpt-4o-mini',
    usage,
    providerCostUsd: null,
  };
  const prices = { 'gpt-4o-*': { inputMtok: 1, outputMtok: 1 } };

  it('provider charge, then no usage, then override, then table, then none', () => {
    expect(callCost({ ...base, providerCostUsd: 0.42 }, prices)).toEqual({
      costUsd: 0.42,
      costSource: 'provider',
      basis: 'provider',
    });
    expect(callCost({ ...base, usage: null }, prices)).toEqual({
      costUsd: 0,
      costSource: 'none',
      basis: 'no-usage',
    });
    expect(callCost(base, prices)).toEqual({
      costUsd: 0.0015,
      costSource: 'price-table',
      basis: 'override',
    });
    expect(callCost(base)).toMatchObject({ costSource: 'price-table', basis: 'genai-prices' });
    expect(callCost({ ...base, model: null })).toEqual({
      costUsd: null,
      costSource: 'none',
      basis: 'no-model',
    });
    expect(callCost({ ...base, model: 'tapedeck-test-model-9000' })).toEqual({
      costUsd: null,
      costSource: 'none',
      basis: 'no-price',
    });
  });

  it('rounds to 12 significant digits, enough for xAI ticks (1e-10 USD)', () => {
    expect(roundUsd(1.3049999999999999e-5)).toBe(0.00001305);
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
    expect(roundUsd(12345e-10)).toBe(12345e-10);
    expect(roundUsd(0)).toBe(0);
  });
});

describe('the per-token fast path of table prices', () => {
  const usages: TokenCounts[] = [
    {
      inputTokens: 1000,
      outputTokens: 500,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
    {
      inputTokens: 5000,
      outputTokens: 800,
      cacheReadTokens: 3000,
      cacheWriteTokens: 0,
      reasoningTokens: 300,
    },
    {
      inputTokens: 2000,
      outputTokens: 100,
      cacheReadTokens: 0,
      cacheWriteTokens: 1500,
      reasoningTokens: 60,
    },
    {
      inputTokens: 250_000,
      outputTokens: 10,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    },
  ];
  const times = ['2026-03-01T02:00:00.000Z', '2026-09-01T20:00:00.000Z'];

  it.each([
    ['openai', 'gpt-4o-mini'], // flat
    ['anthropic', 'claude-sonnet-4-5'], // flat, cache writes
    ['google', 'gemini-2.5-pro'], // tiered above 200k input tokens
    ['perplexity', 'sonar'], // a fee per request
    ['anthropic', 'claude-sonnet-4-6'], // a dated price change
    ['deepseek', 'deepseek-chat'], // peak and off-peak hours
  ])('gives what genai-prices gives for %s/%s, as of the call’s time', (providerId, model) => {
    for (const u of usages) {
      for (const at of times) {
        const expected = calcPrice(priceUsage(u), model, {
          providerId,
          timestamp: new Date(at),
        })?.total_price;
        expect(expected, `${model} ${at}`).toBeTypeOf('number');
        expect(refCost({ providerId, model }, u, at)).toBeCloseTo(expected ?? NaN, 12);
      }
    }
  });

  it('prices a call at its own time, not the reader’s: two reads agree', () => {
    const u = usages[0]!;
    const call = {
      provider: 'openai-compatible',
      upstream: 'deepseek',
      model: 'deepseek-chat',
      usage: u,
      providerCostUsd: null,
    };
    const peak = callCost({ ...call, recordedAt: '2026-03-01T02:00:00.000Z' });
    const offPeak = callCost({ ...call, recordedAt: '2026-03-01T20:00:00.000Z' });
    expect(peak.costUsd).not.toBe(offPeak.costUsd);
    expect(callCost({ ...call, recordedAt: '2026-03-01T02:00:00.000Z' })).toEqual(peak);
  });
});

describe('Gemini tool-use prompt tokens', () => {
  it('stay in input and are priced as input, as genai-prices extracts and prices them', () => {
    // Grounding with Google Search: the results fed back to the model are counted apart.
    const body = {
      candidates: [{ content: { role: 'model', parts: [{ text: 'It is sunny.' }] } }],
      usageMetadata: {
        promptTokenCount: 800,
        toolUsePromptTokenCount: 4150,
        cachedContentTokenCount: 512,
        candidatesTokenCount: 40,
        thoughtsTokenCount: 1000,
        totalTokenCount: 5990,
      },
      modelVersion: 'gemini-2.5-flash',
    };
    const at = '2026-03-01T12:00:00.000Z';
    const a = analyzeExchange({
      ...ex('gemini', '/v1beta/models/gemini-2.5-flash:generateContent', body),
      at,
    });
    const google = findProvider({ providerId: 'google' });
    if (!google) throw new Error('genai-prices has no google provider');
    const theirs = extractUsage(google, body);
    expect(theirs.usage.input_tokens).toBe(800 + 4150);
    expect(a.usage).toMatchObject({
      inputTokens: theirs.usage.input_tokens,
      outputTokens: theirs.usage.output_tokens,
      cacheReadTokens: theirs.usage.cache_read_tokens,
    });
    const price = calcPrice(theirs.usage, 'gemini-2.5-flash', {
      providerId: 'google',
      timestamp: new Date(at),
    });
    expect(a.costUsd).toBe(roundUsd(price!.total_price));
  });
});
