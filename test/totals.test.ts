/** Call summaries and totals: the one definition `inspect` and the UI share. */
import { describe, expect, it } from 'vitest';
import { Call, type Usage } from '../shared/schema.js';
import { NO_MODEL, summarizeCall, totalsOf, type CallSummary } from '../shared/totals.js';

interface CallInput {
  seq: number;
  upstream?: string;
  provider?: string;
  model?: string | null;
  usage?: Usage | null;
  costUsd?: number | null;
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
    costSource: costUsd === null ? 'none' : 'price-table',
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

describe('summarizeCall', () => {
  it('flattens a call into one row', () => {
    const call = makeCall({
      seq: 3,
      usage: usage(100, 20, { cacheReadTokens: 60, cacheWriteTokens: 5, reasoningTokens: 7 }),
      costUsd: 0.5,
      sigPath: '/v1/chat/completions',
      stream: true,
      faults: [
        { kind: 'latency', ttfb: { fixed: 100 } },
        { kind: 'cutStream', afterEvents: 2 },
      ],
    });
    expect(summarizeCall(call, 'calls/000003-openai.json')).toEqual({
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
      costUsd: 0.5,
      costSource: 'price-table',
      faults: ['latency', 'cutStream'],
    } satisfies CallSummary);
  });

  it('gives zeros and null source without usage', () => {
    const row = summarizeCall(makeCall({ seq: 1 }), 'f.json');
    expect(row).toMatchObject({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      usageSource: null,
      costUsd: null,
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

describe('totalsOf', () => {
  it('is all zeros for no rows', () => {
    expect(totalsOf([])).toEqual({
      calls: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      byUpstream: {},
      byProvider: {},
      byModel: {},
    });
  });

  it('sums tokens and known costs, grouped by upstream, provider and model', () => {
    const rows = [
      makeCall({ seq: 1, usage: usage(100, 10, { cacheReadTokens: 50 }), costUsd: 0.25 }),
      makeCall({ seq: 2, usage: usage(200, 20, { reasoningTokens: 5 }), costUsd: 0.5 }),
      makeCall({
        seq: 3,
        upstream: 'claude',
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        usage: usage(1000, 30, { cacheWriteTokens: 400, source: 'estimated' }),
        costUsd: null,
      }),
      makeCall({ seq: 4, upstream: 'files', provider: 'http', model: null }),
    ].map((c) => summarizeCall(c, `${c.seq}.json`));
    expect(totalsOf(rows)).toEqual({
      calls: 4,
      inputTokens: 1300,
      outputTokens: 60,
      costUsd: 0.75,
      cacheReadTokens: 50,
      cacheWriteTokens: 400,
      reasoningTokens: 5,
      byUpstream: {
        openai: { calls: 2, inputTokens: 300, outputTokens: 30, costUsd: 0.75 },
        claude: { calls: 1, inputTokens: 1000, outputTokens: 30, costUsd: 0 },
        files: { calls: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      },
      byProvider: {
        openai: { calls: 2, inputTokens: 300, outputTokens: 30, costUsd: 0.75 },
        anthropic: { calls: 1, inputTokens: 1000, outputTokens: 30, costUsd: 0 },
        http: { calls: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      },
      byModel: {
        'gpt-4o-mini': { calls: 2, inputTokens: 300, outputTokens: 30, costUsd: 0.75 },
        'claude-haiku-4-5': { calls: 1, inputTokens: 1000, outputTokens: 30, costUsd: 0 },
        [NO_MODEL]: { calls: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 },
      },
    });
    expect(NO_MODEL).toBe('(none)');
  });

  it('keeps model names that collide with Object.prototype as ordinary keys', () => {
    const rows = ['constructor', '__proto__', 'toString'].map((model, i) =>
      summarizeCall(makeCall({ seq: i + 1, model, usage: usage(1, 1), costUsd: 1 }), 'f'),
    );
    const t = totalsOf(rows);
    expect(Object.keys(t.byModel).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(t.byModel, '__proto__')?.value).toEqual({
      calls: 1,
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 1,
    });
    expect(t.byModel['constructor']?.calls).toBe(1);
    expect(JSON.parse(JSON.stringify(t.byModel)) as unknown).toHaveProperty(
      ['toString', 'costUsd'],
      1,
    );
  });
});
