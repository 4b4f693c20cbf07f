/**
 * Anthropic's advisor tool runs a second model inside one Messages request; its passes appear only
 * in `usage.iterations`, each naming its model. They are part of the call's usage, split per model,
 * and each part is priced at its own model's price (the manifest's overrides apply per part). The
 * usage below is the one of ../shared/corpus/anthropic/test_anthropic_advisor_tool_message_replay.yaml.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { calcPrice } from '@pydantic/genai-prices';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzeExchange, type Exchange } from '../shared/providers/analyze.js';
import { roundUsd } from '../shared/providers/cost.js';
import type { Call } from '../shared/schema.js';
import { summarizeCall, totalsOf, type CallSummary, type Totals } from '../shared/totals.js';
import { assertBuilt, runCli, startCli, type RunningCli } from './support/cli.js';
import { startScriptedUpstream } from './support/scripted-upstream.js';

const EXECUTOR = 'claude-sonnet-5';
const ADVISOR = 'claude-opus-4-8';
const AT = '2026-06-01T12:00:00.000Z';

const pass = (input: number, output: number, extra: Record<string, unknown> = {}) => ({
  cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  input_tokens: input,
  output_tokens: output,
  ...extra,
});

/** The corpus reply's usage: top-level fields are the executor's two passes (1128 + 1289 in). */
function advisorUsage(advisor: string) {
  return {
    ...pass(2417, 133),
    inference_geo: 'global',
    iterations: [
      { ...pass(1128, 121), type: 'message' },
      { ...pass(2529, 38), model: advisor, type: 'advisor_message' },
      { ...pass(1289, 12), type: 'message' },
    ],
    output_tokens_details: { thinking_tokens: 55 },
    server_tool_use: { web_fetch_requests: 0, web_search_requests: 0 },
    service_tier: 'standard',
  };
}

function reply(advisor = ADVISOR) {
  return {
    id: 'msg_011CdD8mgfyYuTXcsUEmsshh',
    type: 'message',
    role: 'assistant',
    model: EXECUTOR,
    content: [
      {
        type: 'server_tool_use',
        id: 'srvtoolu_012xj8SM7Gg8HKKmpPDuKHvs',
        name: 'advisor',
        input: {},
      },
      {
        type: 'advisor_tool_result',
        tool_use_id: 'srvtoolu_012xj8SM7Gg8HKKmpPDuKHvs',
        content: { type: 'advisor_result', text: 'The answer is 4.', stop_reason: 'end_turn' },
      },
      { type: 'text', text: '2 + 2 = 4.' },
    ],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: advisorUsage(advisor),
  };
}

/** The same reply streamed: the final usage, iterations included, arrives in message_delta. */
function streamed(): string {
  const r = reply();
  const events: [string, unknown][] = [
    [
      'message_start',
      {
        type: 'message_start',
        message: { ...r, content: [], stop_reason: null, usage: pass(1128, 1) },
      },
    ],
    [
      'content_block_start',
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ],
    [
      'content_block_delta',
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '2 + 2 = 4.' } },
    ],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: advisorUsage(ADVISOR),
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  ];
  return events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join('');
}

/** genai-prices itself, as of `at`: the reference the per-model parts must add up to. */
function tablePrice(model: string, input: number, output: number, at?: string): number {
  const r = calcPrice({ input_tokens: input, output_tokens: output }, model, {
    providerId: 'anthropic',
    ...(at ? { timestamp: new Date(at) } : {}),
  });
  if (!r) throw new Error(`genai-prices has no price for ${model}`);
  return r.total_price;
}

const executorCost = (at?: string) => tablePrice(EXECUTOR, 2417, 133, at);
const advisorCost = (at?: string) => tablePrice(ADVISOR, 2529, 38, at);
// An override for the advisor model: $10 / M in, $50 / M out.
const OVERRIDE = { 'claude-opus-*': { inputMtok: 10, outputMtok: 50 } };
const ADVISOR_OVERRIDE_COST = (2529 * 10 + 38 * 50) / 1e6;

function exchange(body: unknown): Exchange {
  return {
    upstream: 'anthropic',
    path: '/v1/messages',
    request: {
      method: 'POST',
      url: 'https://api.anthropic.com/v1/messages?beta=true',
      headers: {},
      body: { model: EXECUTOR, max_tokens: 4096, messages: [] },
    },
    response: { status: 200, headers: {}, body },
    at: AT,
  };
}

function asCall(ex: Exchange, prices?: Record<string, { inputMtok: number; outputMtok: number }>) {
  const a = analyzeExchange(ex, prices);
  const call: Call = {
    id: 'c_advisor',
    seq: 1,
    recordedAt: AT,
    upstream: ex.upstream,
    provider: a.provider,
    api: a.api,
    model: a.model,
    request: ex.request,
    response: ex.response,
    outcome: 'complete',
    timing: { ttfbMs: 1, totalMs: 2 },
    usage: a.usage,
    costUsd: a.costUsd,
    costSource: a.costSource,
    signature: {},
  };
  return { analysis: a, call };
}

describe('advisor passes in usage.iterations', () => {
  it('count in the call’s usage, split per model, each priced at its own model', () => {
    const { analysis } = asCall(exchange(reply()));
    expect(analysis.usage).toEqual({
      inputTokens: 2417 + 2529,
      outputTokens: 133 + 38,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 55,
      source: 'provider',
      byModel: [
        {
          model: EXECUTOR,
          inputTokens: 2417,
          outputTokens: 133,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 55,
        },
        {
          model: ADVISOR,
          inputTokens: 2529,
          outputTokens: 38,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          reasoningTokens: 0,
        },
      ],
    });
    expect(analysis.costSource).toBe('price-table');
    expect(analysis.costUsd).toBe(roundUsd(executorCost(AT) + advisorCost(AT)));
    // What was reported before: the executor's share alone, an under-count of over half.
    expect(executorCost(AT) / (analysis.costUsd ?? 1)).toBeLessThan(0.5);
  });

  it('apply a manifest price override to the part whose model it names', () => {
    const { call } = asCall(exchange(reply()));
    const row = summarizeCall(call, 'calls/000001.json', OVERRIDE);
    expect(row.costUsd).toBe(roundUsd(executorCost(AT) + ADVISOR_OVERRIDE_COST));
    expect(row.costByModel?.map((p) => [p.model, p.costUsd])).toEqual([
      [EXECUTOR, roundUsd(executorCost(AT))],
      [ADVISOR, roundUsd(ADVISOR_OVERRIDE_COST)],
    ]);
    const totals = totalsOf([row]);
    expect(totals).toMatchObject({ calls: 1, inputTokens: 4946, outputTokens: 171 });
    expect(totals.byModel[EXECUTOR]).toMatchObject({
      calls: 1,
      inputTokens: 2417,
      outputTokens: 133,
      costUsd: roundUsd(executorCost(AT)),
    });
    expect(totals.byModel[ADVISOR]).toMatchObject({
      calls: 1,
      inputTokens: 2529,
      outputTokens: 38,
      costUsd: roundUsd(ADVISOR_OVERRIDE_COST),
    });
  });

  it('leave the call unpriced when one part has no price, and total the parts that have one', () => {
    const unknown = 'claude-advisor-nobody-prices';
    const { call } = asCall(exchange(reply(unknown)));
    const row = summarizeCall(call, 'calls/000001.json');
    expect(row).toMatchObject({ costUsd: null, costSource: 'none' });
    expect(row.costByModel?.map((p) => [p.model, p.costUsd])).toEqual([
      [EXECUTOR, roundUsd(executorCost(AT))],
      [unknown, null],
    ]);
    const totals = totalsOf([row]);
    expect(totals).toMatchObject({ costUsd: roundUsd(executorCost(AT)), unpricedCalls: 1 });
    expect(totals.byModel[EXECUTOR]).toMatchObject({ costUsd: roundUsd(executorCost(AT)) });
    expect(totals.byModel[unknown]).toMatchObject({
      inputTokens: 2529,
      costUsd: null,
      unpricedCalls: 1,
    });
    // A price for it in tapedeck.json completes the call.
    const priced = summarizeCall(call, 'calls/000001.json', {
      [unknown]: { inputMtok: 10, outputMtok: 50 },
    });
    expect(priced.costUsd).toBe(roundUsd(executorCost(AT) + ADVISOR_OVERRIDE_COST));
  });
});

describe('advisor calls recorded with the Anthropic SDK', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  beforeAll(() => assertBuilt());

  it('record → inspect --json prices each part at its model, with the manifest’s override', async () => {
    const upstream = await startScriptedUpstream((req) =>
      JSON.parse(req.body || '{}').stream ? { body: streamed() } : { body: reply() },
    );
    cleanups.push(() => upstream.close());
    const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-advisor-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const running: RunningCli[] = [];
    cleanups.push(async () => {
      for (const cli of running) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    });

    const recorder = await startCli([
      'record',
      dir,
      '--port',
      '0',
      '--upstream',
      `anthropic=${upstream.url}`,
    ]);
    running.push(recorder);
    const client = new Anthropic({
      apiKey: 'sk-ant-test',
      baseURL: `${recorder.url}/anthropic`,
      maxRetries: 0,
    });
    // The advisor tool is a beta the SDK's types do not list yet; the wire shape is the docs'.
    const params = {
      model: EXECUTOR,
      max_tokens: 4096,
      messages: [{ role: 'user', content: "What's 2+2? Consult your advisor first." }],
      tools: [{ type: 'advisor_20260301', name: 'advisor', model: ADVISOR, max_tokens: 1024 }],
    } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const plain = await client.messages.create(params);
    expect(plain.usage.input_tokens).toBe(2417);
    const final = await client.messages.stream(params).finalMessage();
    expect(final.content).toMatchObject([{ type: 'text', text: '2 + 2 = 4.' }]);
    expect(await recorder.stop()).toEqual({ code: 0, signal: null });

    const manifestFile = path.join(dir, 'tapedeck.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    await writeFile(manifestFile, JSON.stringify({ ...manifest, prices: OVERRIDE }, null, 2));

    const inspected = await runCli(['inspect', dir, '--json']);
    expect(inspected.code, inspected.stderr).toBe(0);
    const report = JSON.parse(inspected.stdout) as { calls: CallSummary[]; totals: Totals };
    const recordedAt = report.calls[0]!.recordedAt;
    const want = roundUsd(executorCost(recordedAt) + ADVISOR_OVERRIDE_COST);
    expect(report.calls.map((c) => [c.stream, c.inputTokens, c.outputTokens, c.costUsd])).toEqual([
      [false, 4946, 171, want],
      [true, 4946, 171, want],
    ]);
    for (const c of report.calls) {
      expect(c.costByModel).toEqual([
        expect.objectContaining({ model: EXECUTOR, inputTokens: 2417, outputTokens: 133 }),
        expect.objectContaining({
          model: ADVISOR,
          inputTokens: 2529,
          outputTokens: 38,
          costUsd: roundUsd(ADVISOR_OVERRIDE_COST),
        }),
      ]);
    }
    expect(report.totals).toMatchObject({ calls: 2, inputTokens: 2 * 4946, costUsd: 2 * want });
    expect(report.totals.byModel[ADVISOR]).toMatchObject({
      calls: 2,
      inputTokens: 2 * 2529,
      outputTokens: 2 * 38,
      costUsd: roundUsd(2 * ADVISOR_OVERRIDE_COST),
    });
    expect(report.totals.byModel[EXECUTOR]).toMatchObject({ calls: 2, inputTokens: 2 * 2417 });

    const text = await runCli(['inspect', dir]);
    expect(text.stdout).toMatch(new RegExp(`^${ADVISOR}\\s+2\\s+5058\\s+76`, 'm'));
  });
});
