/** Call summaries and totals: the one definition `inspect` and the UI share. */
import { describe, expect, it } from 'vitest';
import { formatReport } from '../proxy/inspect.js';
import { formatTokens, formatTotalCost } from '../shared/format.js';
import { callCost } from '../shared/providers/cost.js';
import { Call, type Usage } from '../shared/schema.js';
import {
  NO_MODEL,
  priceRow,
  priceRows,
  summarizeCall,
  totalsOf,
  type CallSummary,
} from '../shared/totals.js';

interface CallInput {
  seq: number;
  upstream?: string;
  provider?: string;
  model?: string | null;
  usage?: Usage | null;
  costUsd?: number | null;
  costSource?: Call['costSource'];
  url?: string;
  sigPath?: string;
  stream?: boolean;
  faults?: Call['faults'];
}

function makeCall(c: CallInput): Call {
  const usage = c.usage === undefined ? null : c.usage;
  const costUsd = c.costUsd === undefined ? null : c.costUsd;
  return Call.parse({
    id: `c_${c.seq}`,
    seq: c.seq,
    recordedAt: '2026-03-01T12:00:00.000Z',
    upstream: c.upstream ?? 'openai',
    provider: c.provider ?? 'openai',
    api: 'chat.completions',
    model: c.model === undefined ? 'gpt-4o-mini' : c.model,
    request: {
      method: 'POST',
      url: c.url ?? 'https://api.openai.com/v1/chat/completions?x=1',
      headers: {},
      body: {},
    },
    response: c.stream
      ? { status: 200, headers: {}, stream: [{ at: 5, data: '[DONE]' }] }
      : { status: 200, headers: {}, body: {} },
    outcome: 'complete',
    timing: { ttfbMs: 40 + c.seq, totalMs: 100 + c.seq },
    usage,
    costUsd,
    costSource: c.costSource ?? (costUsd === null ? 'none' : 'price-table'),
    signature: { method: 'POST', ...(c.sigPath !== undefined ? { path: c.sigPath } : {}) },
    ...(c.faults ? { faults: c.faults } : {}),
  });
}

const usage = (input: number, output: number, extra: Partial<Usage> = {}): Usage => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  source: 'provider',
  ...extra,
});

const PRICES = {
  'gpt-4o-mini': { inputMtok: 1, outputMtok: 2, cacheReadMtok: 0.5, cacheWriteMtok: 4 },
};

describe('summarizeCall', () => {
  it('flattens a call into one row, its cost derived from usage and prices', () => {
    const call = makeCall({
      seq: 3,
      usage: usage(100, 20, { cacheReadTokens: 60, cacheWriteTokens: 5, reasoningTokens: 7 }),
      // A stale cache from record time: never shown.
      costUsd: 0.5,
      sigPath: '/v1/chat/completions',
      stream: true,
      faults: [
        { kind: 'latency', ttfb: { fixed: 100 } },
        { kind: 'cutStream', afterEvents: 2 },
      ],
    });
    expect(summarizeCall(call, 'calls/000003-openai.json', PRICES)).toEqual({
      id: 'c_3',
      seq: 3,
      file: 'calls/000003-openai.json',
      recordedAt: '2026-03-01T12:00:00.000Z',
      upstream: 'openai',
      provider: 'openai',
      api: 'chat.completions',
      model: 'gpt-4o-mini',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      outcome: 'complete',
      stream: true,
      ttfbMs: 43,
      totalMs: 103,
      inputTokens: 100,
      outputTokens: 20,
      cacheReadTokens: 60,
      cacheWriteTokens: 5,
      reasoningTokens: 7,
      usageSource: 'provider',
      // 35 uncached × $1 + 60 cache reads × $0.5 + 5 cache writes × $4 + 20 out × $2, per million
      costUsd: 0.000125,
      costSource: 'price-table',
      costByModel: null,
      responseId: null,
      usageCountedIn: null,
      faults: ['latency', 'cutStream'],
    } satisfies CallSummary);
  });

  it('gives zeros, a null source and a $0 cost without usage: such a call is not billed', () => {
    const row = summarizeCall(makeCall({ seq: 1, costUsd: null }), 'f.json', PRICES);
    expect(row).toMatchObject({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      usageSource: null,
      costUsd: 0,
      costSource: 'none',
      stream: false,
      faults: [],
    });
  });

  it('takes the path from the URL when the signature path is a glob or missing', () => {
    const openrouter = 'https://openrouter.ai/api/v1/chat/completions';
    expect(summarizeCall(makeCall({ seq: 1, sigPath: '/v1/*' }), 'f').path).toBe(
      '/v1/chat/completions',
    );
    expect(summarizeCall(makeCall({ seq: 1, url: openrouter }), 'f').path).toBe(
      '/api/v1/chat/completions',
    );
    expect(
      summarizeCall(makeCall({ seq: 1, url: openrouter, sigPath: '/v1/chat/completions' }), 'f')
        .path,
    ).toBe('/v1/chat/completions');
  });
});

describe('costs derived when read (issue #8.6)', () => {
  it('two calls with the same model and usage cost the same, whatever their files cached', () => {
    const a = summarizeCall(makeCall({ seq: 1, usage: usage(1000, 500), costUsd: 0.5 }), 'a');
    const b = summarizeCall(makeCall({ seq: 2, usage: usage(1000, 500), costUsd: null }), 'b');
    // gpt-4o-mini in the bundled table: $0.15 / M input, $0.60 / M output
    expect(a.costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
    expect(b.costUsd).toBe(a.costUsd);
    expect(b.costSource).toBe('price-table');
  });

  it('a price added to the manifest after recording applies', () => {
    const call = makeCall({ seq: 1, model: 'my-finetune-7', usage: usage(2000, 100) });
    expect(summarizeCall(call, 'f').costUsd).toBeNull();
    const prices = { 'my-finetune-*': { inputMtok: 3, outputMtok: 12 } };
    expect(summarizeCall(call, 'f', prices)).toMatchObject({
      costUsd: (2000 * 3 + 100 * 12) / 1e6,
      costSource: 'price-table',
    });
  });

  it('a provider-reported cost still wins over an override', () => {
    const call = makeCall({
      seq: 1,
      upstream: 'openrouter',
      provider: 'openrouter',
      usage: usage(1000, 500),
      costUsd: 0.42,
      costSource: 'provider',
    });
    const row = summarizeCall(call, 'f', { '*': { inputMtok: 100, outputMtok: 100 } });
    expect(row).toMatchObject({ costUsd: 0.42, costSource: 'provider' });
  });

  it('re-prices a row with new prices, keeping rows (and arrays) that do not change', () => {
    const rows = [
      summarizeCall(makeCall({ seq: 1, model: 'my-finetune-7', usage: usage(10, 10) }), 'a'),
      summarizeCall(makeCall({ seq: 2, usage: usage(10, 10) }), 'b'),
    ];
    const prices = { 'my-*': { inputMtok: 1, outputMtok: 1 } };
    const priced = priceRows(rows, prices);
    expect(priced[0]).toMatchObject({ costUsd: 0.00002, costSource: 'price-table' });
    expect(priced[1]).toBe(rows[1]);
    expect(priceRows(priced, prices)).toBe(priced);
    expect(priceRow(priced[0]!, undefined)).toMatchObject({ costUsd: null, costSource: 'none' });
  });

  it('rounds away float noise: 87 tokens at $0.15 / M is $0.00001305, not 1.3049999999999999e-05', () => {
    expect((87 * 0.15) / 1e6).not.toBe(0.00001305);
    const cost = callCost(
      {
        provider: 'openai',
        upstream: 'openai',
        model: 'm',
        usage: usage(87, 0),
        providerCostUsd: null,
      },
      { m: { inputMtok: 0.15, outputMtok: 0 } },
    );
    expect(cost.costUsd).toBe(0.00001305);
    expect(JSON.stringify(cost.costUsd)).toBe('0.00001305');
    const rows = [0.1, 0.2].map((usd, i) =>
      summarizeCall(
        makeCall({ seq: i + 1, usage: usage(1, 1), costUsd: usd, costSource: 'provider' }),
        'f',
      ),
    );
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(totalsOf(rows).costUsd).toBe(0.3);
  });
});

describe('totalsOf', () => {
  it('is all zeros for no rows', () => {
    expect(totalsOf([])).toEqual({
      calls: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      unpricedCalls: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      byUpstream: {},
      byProvider: {},
      byModel: {},
    });
  });

  it('sums tokens and known costs, grouped by upstream, provider and model', () => {
    const prices = { 'gpt-4o-mini': { inputMtok: 1000, outputMtok: 5000 } };
    const claude = { upstream: 'claude', provider: 'anthropic', model: 'claude-unpriced-9' };
    const rows = [
      makeCall({ seq: 1, usage: usage(100, 10, { cacheReadTokens: 50 }) }),
      makeCall({ seq: 2, usage: usage(200, 20, { reasoningTokens: 5 }) }),
      makeCall({
        seq: 3,
        ...claude,
        usage: usage(1000, 30, { cacheWriteTokens: 400, source: 'estimated' }),
      }),
      // A 429 of the same model: no usage, so $0, yet the model's cost stays unknown.
      makeCall({ seq: 4, ...claude }),
      makeCall({ seq: 5, upstream: 'files', provider: 'http', model: null }),
    ].map((c) => summarizeCall(c, `${c.seq}.json`, prices));
    const mini = { calls: 2, inputTokens: 300, outputTokens: 30, costUsd: 0.45, unpricedCalls: 0 };
    const unpriced = {
      calls: 2,
      inputTokens: 1000,
      outputTokens: 30,
      costUsd: null,
      unpricedCalls: 1,
    };
    const files = { calls: 1, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0 };
    const t = totalsOf(rows);
    expect(t).toEqual({
      calls: 5,
      inputTokens: 1300,
      outputTokens: 60,
      costUsd: 0.45,
      unpricedCalls: 1,
      cacheReadTokens: 50,
      cacheWriteTokens: 400,
      reasoningTokens: 5,
      byUpstream: { openai: mini, claude: unpriced, files },
      byProvider: { openai: mini, anthropic: unpriced, http: files },
      byModel: { 'gpt-4o-mini': mini, 'claude-unpriced-9': unpriced, [NO_MODEL]: files },
    });
    expect(NO_MODEL).toBe('(none)');
    // A model without a price reads "—" like its rows, never "$0"; a total says what it leaves out.
    expect(formatTotalCost(unpriced)).toBe('—');
    expect(formatTotalCost(files)).toBe('$0');
    expect(formatTotalCost(t)).toBe('$0.4500 + 1 unpriced');
  });

  it('keeps model names that collide with Object.prototype as ordinary keys', () => {
    const rows = ['constructor', '__proto__', 'toString'].map((model, i) =>
      summarizeCall(
        makeCall({ seq: i + 1, model, usage: usage(1, 1), costUsd: 1, costSource: 'provider' }),
        'f',
      ),
    );
    const t = totalsOf(rows);
    expect(Object.keys(t.byModel).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(t.byModel, '__proto__')?.value).toEqual({
      calls: 1,
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 1,
      unpricedCalls: 0,
    });
    expect(t.byModel['constructor']?.calls).toBe(1);
    expect(JSON.parse(JSON.stringify(t.byModel)) as unknown).toHaveProperty(
      ['toString', 'costUsd'],
      1,
    );
  });
});

describe('inspect text (the same notation as the UI)', () => {
  it('marks estimates ~35, shows $0 for a call without usage and says what the total leaves out', () => {
    const rows = [
      makeCall({ seq: 1, usage: usage(35, 7, { source: 'estimated' }) }),
      makeCall({ seq: 2, model: 'my-unpriced-model', usage: usage(10, 10) }),
      makeCall({ seq: 3 }),
    ].map((c) => summarizeCall(c, `${c.seq}.json`));
    const text = formatReport({ calls: rows, totals: totalsOf(rows), errors: [] });
    expect(formatTokens(35, 'estimated')).toBe('~35');
    expect(formatTokens(35, null)).toBe('—');
    const line = (seq: number) => text.split('\n').find((l) => l.startsWith(`${seq} `)) ?? '';
    expect(line(1)).toMatch(/ ~35 +~7 /);
    expect(line(1)).not.toContain('35~');
    expect(line(2)).toMatch(/—$/);
    expect(line(3)).toMatch(/— +— +\$0$/);
    expect(text).toMatch(/ \+ 1 unpriced\n/);
    expect(text).toContain('1 call has no known price');
    const model = text.split('\n').find((l) => l.startsWith('my-unpriced-model'));
    expect(model).toMatch(/—$/);
  });
});
