/**
 * Issue #8.6: cost is derived when a snapshot is read, from usage and the manifest's current
 * prices, so a price added to tapedeck.json after recording shows in `inspect --json`, in the
 * host's rows (opening a folder, live changes) and in the UI; a provider-reported cost still wins.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../shared/desktop-api.js';
import type { Call } from '../shared/schema.js';
import type { CallSummary, Totals } from '../shared/totals.js';
import { startMockServer } from '../proxy/mock-server.js';
import { assertBuilt, runCli } from './support/cli.js';
import { hostFixture, nextEvent, type HostFixture } from './support/host-fixture.js';

let fx: HostFixture;
let template: Call;
const FINETUNE = 'my-finetune-2026-01';

interface Report {
  calls: CallSummary[];
  totals: Totals;
}

async function inspectJson(): Promise<Report> {
  const r = await runCli(['inspect', fx.snap, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

async function writeCall(seq: number, patch: Partial<Call>): Promise<string> {
  const call = { ...template, id: `c_finetune_${seq}`, seq, model: FINETUNE, ...patch };
  const rel = `calls/${String(seq).padStart(6, '0')}-finetune.json`;
  await writeFile(path.join(fx.snap, rel), JSON.stringify(call, null, 2) + '\n');
  return rel;
}

async function setPrices(prices: Record<string, unknown>): Promise<void> {
  const file = path.join(fx.snap, 'tapedeck.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...manifest, prices }, null, 2) + '\n');
}

const usage = {
  inputTokens: 1200,
  outputTokens: 300,
  cacheReadTokens: 200,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  source: 'provider' as const,
};
// 1000 uncached × $2 + 200 cache reads × $0.5 + 300 out × $8, per million tokens
const FINETUNE_COST = (1000 * 2 + 200 * 0.5 + 300 * 8) / 1e6;
const PRICES = {
  'my-finetune-*': { inputMtok: 2, outputMtok: 8, cacheReadMtok: 0.5 },
  // Matches the OpenRouter call too, whose provider-reported cost must still win.
  'anthropic/*': { inputMtok: 1000, outputMtok: 1000 },
};

beforeAll(() => assertBuilt());

beforeEach(async () => {
  fx = await hostFixture();
  const first = path.join(fx.snap, 'calls', '000001-openai-chat-gpt-4o-mini-2024-07-18.json');
  template = JSON.parse(await readFile(first, 'utf8')) as Call;
  // Recorded before the price existed: one with no cost, one with a stale cached one.
  await writeCall(101, { usage, costUsd: null, costSource: 'none' });
  await writeCall(102, { usage, costUsd: 0.777, costSource: 'price-table' });
  await writeCall(103, {
    usage: null,
    costUsd: null,
    costSource: 'none',
    response: { status: 429, headers: {}, body: { error: { message: 'slow down' } } },
  });
});
afterEach(() => fx.cleanup());

const finetune = (rows: readonly CallSummary[]) => rows.filter((c) => c.model === FINETUNE);

describe('prices added after recording', () => {
  it('apply in inspect --json and in the rows the host gives the UI', async () => {
    const before = await inspectJson();
    expect(finetune(before.calls).map((c) => [c.costUsd, c.costSource])).toEqual([
      [null, 'none'],
      [null, 'none'],
      // The 429 has no usage: it was not billed, which is not the same as "no price".
      [0, 'none'],
    ]);
    expect(before.totals.byModel[FINETUNE]).toMatchObject({ costUsd: null, unpricedCalls: 2 });
    expect(before.totals.unpricedCalls).toBe(2);

    await setPrices(PRICES);
    const after = await inspectJson();
    expect(finetune(after.calls).map((c) => [c.costUsd, c.costSource])).toEqual([
      [FINETUNE_COST, 'price-table'],
      [FINETUNE_COST, 'price-table'],
      [0, 'none'],
    ]);
    expect(after.totals.byModel[FINETUNE]).toMatchObject({
      costUsd: 2 * FINETUNE_COST,
      unpricedCalls: 0,
    });
    const openrouter = after.calls.find((c) => c.model === 'anthropic/claude-3.5-haiku');
    expect(openrouter).toMatchObject({ costUsd: 0.0002112, costSource: 'provider' });

    const info = await fx.host.openFolder(fx.snap);
    expect(info.calls.map((c) => [c.id, c.costUsd, c.costSource])).toEqual(
      after.calls.map((c) => [c.id, c.costUsd, c.costSource]),
    );
  });

  it('apply to calls the host reports live, with the manifest as it is now', async () => {
    await fx.host.openFolder(fx.snap);
    const on = (accept: (e: ChangeEvent) => boolean) =>
      nextEvent<ChangeEvent>((l) => fx.host.onChange(l), accept, 3000);
    const manifestSeen = on((e) => e.kind === 'manifest');
    await setPrices(PRICES);
    const { event: m } = await manifestSeen;
    expect(m.kind === 'manifest' && m.manifest?.prices).toEqual(PRICES);

    const callSeen = on((e) => e.kind === 'call' && e.call.seq === 104);
    await writeCall(104, { usage, costUsd: null, costSource: 'none' });
    const { event } = await callSeen;
    expect(event.kind === 'call' && [event.call.costUsd, event.call.costSource]).toEqual([
      FINETUNE_COST,
      'price-table',
    ]);
  });

  it('apply to the row a save answers', async () => {
    const info = await fx.host.openFolder(fx.snap);
    await setPrices(PRICES);
    const rel = info.calls.find((c) => c.seq === 101)!.file;
    const before = await fx.host.readFile(rel);
    const result = await fx.host.saveFile(rel, before.text, before.hash);
    expect(result).toMatchObject({ ok: true, call: { costUsd: FINETUNE_COST } });
  });

  it('apply to what the mock’s stats say its replies stood in for', async () => {
    const body = { model: FINETUNE, messages: [{ role: 'user', content: 'finetuned?' }] };
    await writeCall(105, {
      usage,
      costUsd: 0.777,
      costSource: 'price-table',
      request: { ...template.request, body },
      signature: { ...template.signature, body },
    });
    await setPrices(PRICES);
    const mock = await startMockServer({
      dir: fx.snap,
      port: 0,
      timing: { mode: 'instant' },
      log: () => undefined,
    });
    try {
      const res = await fetch(`${mock.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.headers.get('x-tapedeck-call')).toBe('c_finetune_105');
      await res.arrayBuffer();
      const stats = (await (await fetch(`${mock.url}/__tapedeck/stats`)).json()) as {
        replayed: Totals;
      };
      expect(stats.replayed.byModel[FINETUNE]).toMatchObject({ calls: 1, costUsd: FINETUNE_COST });
    } finally {
      await mock.close();
    }
  });
});
