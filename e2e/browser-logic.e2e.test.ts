/**
 * The UI's pure logic, without a browser: folding live changes into rows, editing a file by parts,
 * reading prompts per provider, and the what-if repricing's fast path against genai-prices itself.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { modelCatalog, project, repriceRows } from '../renderer/src/lib/pricing.js';
import { promptMessages, replyText } from '../renderer/src/lib/messages.js';
import { readPart, writePart } from '../renderer/src/state/doc-parts.js';
import { mergeChanges, type Rows } from '../renderer/src/state/merge-changes.js';
import {
  columns,
  fitColumns,
  TOGGLE_WIDTH,
  type FitColumn,
} from '../renderer/src/calls/table-model.js';
import '../renderer/src/state/tool-calls-part.js';
import { priceRow, type CallSummary } from '../shared/totals.js';

/** A row as the host sends it: priced from its usage with no overrides. */
function summary(seq: number, patch: Partial<CallSummary> = {}): CallSummary {
  return priceRow(
    {
      id: `c_${seq}`,
      seq,
      file: `calls/${String(seq).padStart(6, '0')}-openai.json`,
      recordedAt: '2026-03-01T12:00:00.000Z',
      upstream: 'openai',
      provider: 'openai',
      api: 'chat.completions',
      model: 'gpt-4o-mini',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      outcome: 'complete',
      stream: false,
      ttfbMs: 100,
      totalMs: 200,
      inputTokens: 1000,
      outputTokens: 200,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      usageSource: 'provider',
      costUsd: 0.001,
      costSource: 'price-table',
      costByModel: null,
      responseId: null,
      usageCountedIn: null,
      faults: [],
      ...patch,
    },
    undefined,
  );
}

describe('mergeChanges', () => {
  const base: Rows = {
    calls: [summary(1), summary(2), summary(3)],
    errors: [{ file: 'calls/000009-bad.json', line: 2, reason: 'invalid JSON' }],
    manifest: null,
  };

  it('adds new calls in seq order and replaces changed ones in place', () => {
    const changed = summary(2, { status: 500 });
    const out = mergeChanges(base, [
      { kind: 'call', path: summary(5).file, call: summary(5), hash: 'h5' },
      { kind: 'call', path: summary(4).file, call: summary(4), hash: 'h4' },
      { kind: 'call', path: changed.file, call: changed, hash: 'h2' },
    ]);
    expect(out.calls.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(out.calls[1]).toBe(changed);
    expect(out.calls[0]).toBe(base.calls[0]);
    expect(out.errors).toBe(base.errors);
  });

  it('moves a file between the calls and the errors, and drops removed files', () => {
    const broken = { file: summary(1).file, reason: 'seq: expected a number', line: 3 };
    const fixed = summary(9, { file: 'calls/000009-bad.json' });
    const out = mergeChanges(base, [
      { kind: 'error', path: broken.file, error: broken },
      { kind: 'call', path: fixed.file, call: fixed, hash: 'h9' },
      { kind: 'removed', path: summary(3).file },
    ]);
    expect(out.calls.map((c) => c.file)).toEqual([summary(2).file, fixed.file]);
    expect(out.errors).toEqual([broken]);
  });

  it('keeps the last event of a file within a batch, and returns the same rows for no change', () => {
    const out = mergeChanges(base, [
      { kind: 'call', path: summary(6).file, call: summary(6), hash: 'a' },
      { kind: 'removed', path: summary(6).file },
    ]);
    expect(out.calls).toEqual(base.calls);
    expect(mergeChanges(base, [])).toBe(base);
  });
});

describe('mergeChanges keeps costs on the current prices (issue #8.6)', () => {
  const finetune = (seq: number) => summary(seq, { model: 'my-finetune-1' });
  const base: Rows = { calls: [finetune(1), summary(2)], errors: [], manifest: null };
  const prices = { 'my-finetune-*': { inputMtok: 2, outputMtok: 10 } };
  const manifest = { format: 'tapedeck/1', prices };
  // 1000 in × $2 + 200 out × $10, per million tokens
  const priced = (1000 * 2 + 200 * 10) / 1e6;

  it('re-prices every row when tapedeck.json prices change, and only then', () => {
    expect(base.calls[0]?.costUsd).toBeNull();
    const out = mergeChanges(base, [{ kind: 'manifest', path: 'tapedeck.json', manifest }]);
    expect(out.calls[0]).toMatchObject({ costUsd: priced, costSource: 'price-table' });
    expect(out.calls[1]).toBe(base.calls[1]);
    const notes = { ...manifest, notes: 'edited' };
    const again = mergeChanges(out, [{ kind: 'manifest', path: 'tapedeck.json', manifest: notes }]);
    expect(again.calls).toBe(out.calls);
    const removed = mergeChanges(out, [
      { kind: 'manifest', path: 'tapedeck.json', manifest: null },
    ]);
    expect(removed.calls[0]).toMatchObject({ costUsd: null, costSource: 'none' });
  });

  it('prices new rows with the manifest the UI holds, whatever the host priced them with', () => {
    const withPrices: Rows = { ...base, manifest };
    const stale = finetune(3);
    const out = mergeChanges(withPrices, [
      { kind: 'call', path: stale.file, call: stale, hash: 'h3' },
    ]);
    expect(out.calls[2]).toMatchObject({ seq: 3, costUsd: priced });
  });
});

describe('editing a file by parts', () => {
  const file = {
    id: 'c_1',
    signature: { method: 'POST', body: { messages: [{ role: 'user', content: 'hi' }] } },
    costUsd: 0.1,
  };
  const text = JSON.stringify(file, null, 2) + '\n';

  it('reads a part and writes an edit back in place, keeping the key order', () => {
    const read = readPart('signature', text);
    expect(read.ok && JSON.parse(read.value)).toEqual(file.signature);
    const written = writePart('signature', text, '{ "method": "POST", "body": { "$any": true } }');
    if (!written.ok) throw new Error(written.error);
    const parsed = JSON.parse(written.value) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['id', 'signature', 'costUsd']);
    expect(parsed['signature']).toEqual({ method: 'POST', body: { $any: true } });
  });

  it('shows absent faults as [] and removes the key again when they are emptied', () => {
    const read = readPart('faults', text);
    expect(read.ok && read.value).toBe('[]');
    const added = writePart('faults', text, '[{ "kind": "serverError", "status": 503 }]');
    if (!added.ok) throw new Error(added.error);
    expect(JSON.parse(added.value).faults).toEqual([{ kind: 'serverError', status: 503 }]);
    const removed = writePart('faults', added.value, '[]');
    expect(removed.ok && 'faults' in JSON.parse(removed.value)).toBe(false);
  });

  it('refuses part edits that are not JSON, and parts of a file that is not JSON', () => {
    expect(writePart('signature', text, '{ "method": ').ok).toBe(false);
    const broken = readPart('signature', '{ "id": ');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/File tab/);
  });

  it('edits tool call arguments of an OpenAI reply as JSON', () => {
    const call = {
      api: 'chat.completions',
      request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {} },
      response: {
        status: 200,
        headers: {},
        body: {
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: null,
                tool_calls: [
                  {
                    id: 'call_1',
                    type: 'function',
                    function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
                  },
                ],
              },
              finish_reason: 'tool_calls',
            },
          ],
        },
      },
    };
    const callText = JSON.stringify(call, null, 2);
    const read = readPart('tools', callText);
    if (!read.ok) throw new Error(read.error);
    expect(JSON.parse(read.value)).toEqual([
      { index: 0, id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
    ]);
    const edited = read.value.replace('Paris', 'Oslo');
    const written = writePart('tools', callText, edited);
    if (!written.ok) throw new Error(written.error);
    const args = JSON.parse(written.value).response.body.choices[0].message.tool_calls[0].function
      .arguments as string;
    expect(JSON.parse(args)).toEqual({ city: 'Oslo' });
    // Re-indenting without changing values is not an edit of the reply.
    const same = writePart('tools', callText, JSON.stringify(JSON.parse(read.value)));
    expect(same.ok && JSON.parse(same.value)).toEqual(call);
  });
});

describe('prompt and reply reading', () => {
  /** A v1 call file names its api; the URL of a custom upstream may say nothing. */
  const requestOf = (api: string, body: unknown) => ({
    api,
    request: { url: 'http://127.0.0.1:9/anything', body },
  });
  it('reads Anthropic system, text and tool blocks', () => {
    const messages = promptMessages(
      requestOf('messages', {
        system: 'be brief',
        messages: [
          { role: 'user', content: 'weather in Paris?' },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 't1', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 't1', content: '18°C' }],
          },
        ],
      }),
    );
    expect(messages?.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages?.[2]?.blocks[0]).toMatchObject({ kind: 'tool-call', label: 'get_weather' });
    expect(messages?.[3]?.blocks[0]).toMatchObject({ kind: 'tool-result', text: '18°C' });
  });

  it('reads Gemini contents and assembles a streamed OpenAI reply', () => {
    const gemini = promptMessages(
      requestOf('generateContent', {
        systemInstruction: { parts: [{ text: 'sys' }] },
        contents: [{ role: 'user', parts: [{ text: 'hello' }] }],
      }),
    );
    expect(gemini?.map((m) => [m.role, m.blocks[0]?.text])).toEqual([
      ['system', 'sys'],
      ['user', 'hello'],
    ]);
    const stream = ['Hel', 'lo'].map((t, i) => ({
      at: i,
      data: JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] }),
    }));
    const reply = {
      api: 'chat.completions',
      request: { url: 'https://api.openai.com/v1/chat/completions' },
      response: { status: 200, headers: {}, stream: [...stream, { at: 3, data: '[DONE]' }] },
    };
    expect(replyText(reply)).toBe('Hello');
  });
});

describe('fitting the table columns to the width', () => {
  const all: FitColumn[] = columns.map((c) => ({
    id: c.id ?? '',
    size: c.size ?? 150,
    fixed: false,
  }));
  const total = all.reduce((a, c) => a + c.size, 0);
  const ids = (fit: { shown: { id: string }[] }) => fit.shown.map((c) => c.id);

  it('shows every column when they fit, and gives the spare width to Request', () => {
    const fit = fitColumns(all, total + 100);
    expect(ids(fit)).toEqual(all.map((c) => c.id));
    expect(fit.hidden).toEqual([]);
    expect(fit.width).toBe(total + 100);
    expect(fit.shown.find((c) => c.id === 'request')?.width).toBe(230 + 100);
  });

  it('narrows, then hides the less telling columns first, and never #, Model, Status or Cost', () => {
    for (const width of [1000, 900, 700, 560, 400, 200]) {
      const fit = fitColumns(all, width);
      expect(ids(fit)).toEqual(expect.arrayContaining(['seq', 'model', 'status', 'cost']));
      if (width >= 400) expect(fit.width + TOGGLE_WIDTH).toBeLessThanOrEqual(width);
      expect([...fit.hidden, ...ids(fit)].sort()).toEqual(all.map((c) => c.id).sort());
    }
    // Without a mock the Run column is left out (CallsTable's hiddenColumns); with one it takes room.
    const noMock = all.filter((c) => c.id !== 'run');
    expect(fitColumns(noMock, 1000).hidden).toEqual(['time', 'stream']);
    expect(fitColumns(all, 1000).hidden).toEqual(['time', 'stream', 'ttfb']);
    expect(fitColumns(all, 560).hidden).toEqual(
      expect.arrayContaining(['stream', 'time', 'ttfb', 'provider', 'total']),
    );
  });

  it('keeps a column the user resized at its width, and the sorted column shown', () => {
    const resized = all.map((c) => (c.id === 'model' ? { ...c, size: 300, fixed: true } : c));
    const fit = fitColumns(resized, 900, new Set(['time']));
    expect(fit.shown.find((c) => c.id === 'model')?.width).toBe(300);
    expect(ids(fit)).toContain('time');
    expect(fit.width + TOGGLE_WIDTH).toBeLessThanOrEqual(900);
  });

  it('hides nothing when asked for every column, and then scrolls instead', () => {
    const fit = fitColumns(all, 500, new Set(), false);
    expect(ids(fit)).toEqual(all.map((c) => c.id));
    expect(fit.width).toBeGreaterThan(500);
  });
});

describe('what-if repricing', () => {
  const rows = [
    summary(1),
    summary(2, { inputTokens: 5000, cacheReadTokens: 3000, outputTokens: 800 }),
    summary(3, {
      inputTokens: 2000,
      cacheWriteTokens: 1500,
      outputTokens: 100,
      reasoningTokens: 60,
    }),
    summary(4, { usageSource: null, inputTokens: 0, outputTokens: 0 }),
  ];

  it('prices every call as genai-prices does, through its per-token fast path', () => {
    const catalog = modelCatalog();
    for (const key of [
      'openai/gpt-4o-mini',
      'anthropic/claude-3-5-haiku-latest',
      'google/gemini-2.5-pro',
    ]) {
      const choice = catalog.find((m) => m.key === key);
      if (!choice) throw new Error(`${key} is not in the catalog`);
      const expected = rows
        .filter((r) => r.usageSource !== null)
        .reduce((sum, r) => {
          const usage: Record<string, number> = {
            input_tokens: r.inputTokens,
            output_tokens: r.outputTokens,
          };
          if (r.cacheReadTokens > 0) usage['cache_read_tokens'] = r.cacheReadTokens;
          if (r.cacheWriteTokens > 0) usage['cache_write_tokens'] = r.cacheWriteTokens;
          if (r.reasoningTokens > 0) usage['output_reasoning_tokens'] = r.reasoningTokens;
          const price = calcPrice(usage, choice.modelId, { providerId: choice.providerId });
          return sum + (price?.total_price ?? NaN);
        }, 0);
      const repriced = repriceRows(rows, choice);
      expect(repriced?.priced).toBe(3);
      expect(repriced?.withoutUsage).toBe(1);
      expect(repriced?.costUsd).toBeCloseTo(expected, 12);
    }
  });

  it('uses a price override the manifest has for the chosen model', () => {
    const choice = modelCatalog().find((m) => m.key === 'openai/gpt-4o-mini');
    if (!choice) throw new Error('gpt-4o-mini is not in the catalog');
    const prices = { 'gpt-4o-mini': { inputMtok: 1, outputMtok: 1 } };
    const repriced = repriceRows(rows, choice, prices);
    const tokens = rows.reduce((n, r) => n + r.inputTokens + r.outputTokens, 0);
    expect(repriced?.costUsd).toBeCloseTo(tokens / 1e6, 12);
  });

  it('projects a run per day, month and year', () => {
    expect(project(0.5, 10)).toEqual({ perRun: 0.5, perDay: 5, perMonth: 150, perYear: 1825 });
  });
});
