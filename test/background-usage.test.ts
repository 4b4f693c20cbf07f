/**
 * An OpenAI background response answers its POST `queued`, without usage; the usage comes with
 * `GET /v1/responses/{id}`, which a client polls (or resumes as a stream) as often as it likes.
 * The usage counts once per response id: in `inspect --json`, in the rows the host gives the UI
 * and the UI's live merge, and in the mock's stats of what it replayed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { calcPrice } from '@pydantic/genai-prices';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSummaries } from '../proxy/store/summaries.js';
import { roundUsd } from '../shared/providers/cost.js';
import type { CallSummary, Totals } from '../shared/totals.js';
import { countUsageOnce } from '../shared/usage-once.js';
import { mergeChanges } from '../renderer/src/state/merge-changes.js';
import { assertBuilt, runCli, startCli, type RunningCli } from './support/cli.js';
import { startScriptedUpstream, type ScriptedRequest } from './support/scripted-upstream.js';

const ID = 'resp_0bg5e2a1c9d84f7700698b9df109c48197';
const MODEL = 'gpt-4o-2024-08-06';
const USAGE = {
  input_tokens: 15,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 9,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 24,
};

function response(status: 'queued' | 'completed') {
  const done = status === 'completed';
  return {
    id: ID,
    object: 'response',
    created_at: 1771375110,
    status,
    background: true,
    error: null,
    incomplete_details: null,
    instructions: null,
    model: MODEL,
    output: done
      ? [
          {
            id: 'msg_0bg5e2a1c9d84f7700698b9df2',
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: '2 + 2 equals 4.', annotations: [] }],
          },
        ]
      : [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: done ? USAGE : null,
  };
}

/** A resumed stream of the finished response: its lifecycle ends with the usage. */
function resumedStream(): string {
  const events = [
    { type: 'response.in_progress', sequence_number: 1, response: response('queued') },
    {
      type: 'response.output_text.delta',
      sequence_number: 2,
      item_id: 'msg_0bg5e2a1c9d84f7700698b9df2',
      output_index: 0,
      content_index: 0,
      delta: '2 + 2 equals 4.',
    },
    { type: 'response.completed', sequence_number: 3, response: response('completed') },
  ];
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

function upstreamReply(req: ScriptedRequest) {
  if (req.method === 'POST') return { body: response('queued') };
  return req.url.includes('stream=true')
    ? { body: resumedStream() }
    : { body: response('completed') };
}

/** The SDK's background flow: create, poll twice, then resume the stream once. */
async function backgroundFlow(baseURL: string): Promise<unknown[]> {
  const client = new OpenAI({ apiKey: 'sk-test-bg', baseURL, maxRetries: 0 });
  const created = await client.responses.create({
    model: 'gpt-4o',
    input: 'What is 2+2?',
    background: true,
  });
  expect(created).toMatchObject({ id: ID, status: 'queued', usage: null });
  const first = await client.responses.retrieve(created.id);
  const second = await client.responses.retrieve(created.id);
  expect(second.usage).toEqual(first.usage);
  const resumed = await client.responses.retrieve(created.id, { stream: true });
  const types: string[] = [];
  for await (const e of resumed) types.push(e.type);
  expect(types.at(-1)).toBe('response.completed');
  return [created.status, first.status, second.status, first.output_text];
}

const PRICE = roundUsd(
  calcPrice({ input_tokens: 15, output_tokens: 9 }, MODEL, { providerId: 'openai' })!.total_price,
);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(() => assertBuilt());

describe('background response usage', () => {
  it('counts once across the POST and every poll: record → inspect, host rows, UI merge, mock stats', async () => {
    const upstream = await startScriptedUpstream(upstreamReply);
    cleanups.push(() => upstream.close());
    const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-background-'));
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
      `openai=${upstream.url}`,
    ]);
    running.push(recorder);
    const recorded = await backgroundFlow(`${recorder.url}/openai/v1`);
    expect(recorded).toEqual(['queued', 'completed', 'completed', '2 + 2 equals 4.']);
    expect(await recorder.stop()).toEqual({ code: 0, signal: null });
    expect(upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v1/responses',
      `GET /v1/responses/${ID}`,
      `GET /v1/responses/${ID}`,
      `GET /v1/responses/${ID}?stream=true`,
    ]);

    const inspected = await runCli(['inspect', dir, '--json']);
    expect(inspected.code, inspected.stderr).toBe(0);
    const report = JSON.parse(inspected.stdout) as { calls: CallSummary[]; totals: Totals };
    const [post, poll1, poll2, resume] = report.calls;
    const counter = poll1!.id;
    expect(
      report.calls.map((c) => [
        c.method,
        c.api,
        c.responseId,
        c.usageSource,
        c.usageSource === 'provider' ? [c.inputTokens, c.outputTokens] : null,
        c.usageCountedIn,
      ]),
    ).toEqual([
      // The POST only had an estimate; the provider's figures, on the first poll, replace it.
      ['POST', 'responses', ID, 'estimated', null, counter],
      ['GET', 'responses.retrieve', ID, 'provider', [15, 9], null],
      ['GET', 'responses.retrieve', ID, 'provider', [15, 9], counter],
      ['GET', 'responses.retrieve', ID, 'provider', [15, 9], counter],
    ]);
    expect(poll1!.costUsd).toBe(PRICE);
    expect(resume!.stream).toBe(true);
    expect(report.totals).toMatchObject({
      calls: 4,
      inputTokens: 15,
      outputTokens: 9,
      costUsd: PRICE,
      unpricedCalls: 0,
    });
    expect(report.totals.byModel[MODEL]).toMatchObject({ inputTokens: 15, costUsd: PRICE });
    const table = await runCli(['inspect', dir]);
    expect(table.stdout).toMatch(new RegExp(`^${poll2!.seq}\\s.*→ #${poll1!.seq}$`, 'm'));
    expect(post!.seq).toBeLessThan(poll1!.seq);

    // The host's rows for the UI say the same, and so does the UI's merge as files come and go.
    const opened = await loadSummaries(dir);
    expect(opened.calls.map((c) => c.usageCountedIn)).toEqual(
      report.calls.map((c) => c.usageCountedIn),
    );
    const without = mergeChanges({ calls: opened.calls, errors: [], manifest: opened.manifest }, [
      { kind: 'removed', path: poll1!.file },
    ]);
    // The first poll gone, the next one carrying the usage counts it.
    expect(without.calls.map((c) => c.usageCountedIn)).toEqual([poll2!.id, null, poll2!.id]);
    const back = mergeChanges(without, [
      { kind: 'call', path: poll1!.file, call: { ...poll1!, usageCountedIn: null }, hash: 'h' },
    ]);
    expect(back.calls.map((c) => c.usageCountedIn)).toEqual([counter, null, counter, counter]);

    // Replayed by the mock, polled once more than recorded: what it stood in for counts once.
    const mock = await startCli(['mock', dir, '--port', '0', '--timing', 'instant']);
    running.push(mock);
    const replayed = await backgroundFlow(`${mock.url}/openai/v1`);
    expect(replayed).toEqual(recorded);
    const client = new OpenAI({ apiKey: 'sk-x', baseURL: `${mock.url}/openai/v1`, maxRetries: 0 });
    expect((await client.responses.retrieve(ID)).usage?.input_tokens).toBe(15);
    const stats = (await (await fetch(`${mock.url}/__tapedeck/stats`)).json()) as {
      unmatched: number;
      replayed: Totals;
    };
    expect(stats.unmatched).toBe(0);
    expect(stats.replayed).toMatchObject({
      calls: 5,
      inputTokens: 15,
      outputTokens: 9,
      costUsd: PRICE,
    });
    expect(await mock.stop()).toEqual({ code: 0, signal: null });
    expect(upstream.requests).toHaveLength(4);
  });
});

describe('countUsageOnce', () => {
  const row = (seq: number, patch: Partial<CallSummary>): CallSummary =>
    ({
      id: `c_${seq}`,
      seq,
      file: `calls/${String(seq).padStart(6, '0')}.json`,
      upstream: 'openai',
      responseId: ID,
      usageSource: 'provider',
      usageCountedIn: null,
      ...patch,
    }) as CallSummary;

  it('counts the first estimate when no call carries the provider’s usage', () => {
    const rows = [row(1, { usageSource: 'estimated' }), row(2, { usageSource: null })];
    expect(countUsageOnce(rows).map((r) => r.usageCountedIn)).toEqual([null, 'c_1']);
  });

  it('keeps responses of other upstreams apart, and leaves other calls alone', () => {
    const rows = [
      row(1, {}),
      row(2, { upstream: 'azure' }),
      row(3, { responseId: null }),
      row(4, {}),
    ];
    expect(countUsageOnce(rows).map((r) => r.usageCountedIn)).toEqual([null, null, null, 'c_1']);
  });

  it('orders by seq, not by position, and clears a mark that no longer holds', () => {
    const rows = [row(5, {}), row(2, { usageCountedIn: 'c_9' })];
    expect(countUsageOnce(rows).map((r) => r.usageCountedIn)).toEqual(['c_2', null]);
    const settled = countUsageOnce(rows);
    expect(countUsageOnce(settled)).toBe(settled);
  });
});
