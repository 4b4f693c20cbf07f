/**
 * `in-process` (issue #11): the openai SDK over `createMockFetch` against the same SDK over
 * `tapedeck mock` on a socket, and what `createMockFetch` itself adds to a request.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { Call } from '../shared/schema.js';
import { createMockFetch, type MockFetch } from '../testing/mock-fetch.js';
import type { Figure } from './figure.js';
import { chatCompletionCall } from './fixtures.js';
import { atLeast, atMost, fmt, row, say, type Check } from './report.js';
import { writeSnapshot } from './snapshot-gen.js';
import { median, percentile } from './stats.js';
import { startTapedeck } from './tapedeck.js';

const FIGURE = 'in-process';
/** Requests in flight at once, as a test suite's parallel tests keep them. */
const CONCURRENCY = 16;

interface Plan {
  warmupS: number;
  rounds: number;
  roundS: number;
  /** Sequential requests timed one by one for the per-request overhead. */
  overheadRequests: number;
}

const FULL: Plan = { warmupS: 2, rounds: 6, roundS: 2, overheadRequests: 20_000 };
const QUICK: Plan = { warmupS: 0.5, rounds: 2, roundS: 0.5, overheadRequests: 2_000 };

/** Requests per second of `CONCURRENCY` loops each awaiting one SDK call after another. */
async function sdkRate(
  client: OpenAI,
  body: ChatCompletionCreateParamsNonStreaming,
  seconds: number,
): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const r = await client.chat.completions.create(body);
      if (!r.choices[0]) throw new Error('reply without choices');
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return done / ((performance.now() - start) / 1000);
}

/** µs per request of the mock fetch alone: request in, whole reply body read. */
async function overheadUs(fetch: MockFetch, body: string, n: number): Promise<number[]> {
  const url = 'https://api.openai.com/v1/chat/completions';
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(url, init);
    await res.arrayBuffer();
    out.push((performance.now() - t) * 1000);
    if (res.status !== 200) throw new Error(`mock fetch answered ${res.status}`);
  }
  // The calls list is the test's record of what it sent; a benchmark has no use for 20,000 of them.
  fetch.reset();
  return out;
}

export const inProcess: Figure = {
  name: FIGURE,
  title: `openai SDK over createMockFetch vs over tapedeck mock on a socket, ${CONCURRENCY} in flight`,
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const call = Call.parse(chatCompletionCall());
    const dir = join(ctx.workDir, 'snapshot');
    await writeSnapshot(dir, [call]);
    const body = call.request.body as unknown as ChatCompletionCreateParamsNonStreaming;

    const mockFetch = createMockFetch({ snapshot: dir, log: false });
    await mockFetch.ready;
    const inProc = new OpenAI({ apiKey: 'bench', fetch: mockFetch, maxRetries: 0 });
    const server = await startTapedeck(
      'mock',
      dir,
      ['--timing', 'instant'],
      join(ctx.workDir, 'mock.log'),
    );
    const socket = new OpenAI({
      apiKey: 'bench',
      baseURL: `${server.url}/openai/v1`,
      maxRetries: 0,
    });
    const inRates: number[] = [];
    const socketRates: number[] = [];
    try {
      await sdkRate(inProc, body, plan.warmupS);
      await sdkRate(socket, body, plan.warmupS);
      for (let i = 0; i < plan.rounds; i++) {
        // Turns alternate who goes first, so drift on a shared machine hits both alike.
        const first = i % 2 === 0;
        if (first) inRates.push(await sdkRate(inProc, body, plan.roundS));
        socketRates.push(await sdkRate(socket, body, plan.roundS));
        if (!first) inRates.push(await sdkRate(inProc, body, plan.roundS));
        mockFetch.reset();
      }
    } finally {
      await server.child.stop();
    }
    const ratios = inRates.map((r, i) => r / (socketRates[i] as number));
    const ratio = median(ratios);
    row('createMockFetch', fmt.rps(median(inRates)).padStart(14));
    row('tapedeck mock (socket)', fmt.rps(median(socketRates)).padStart(14));
    say(`  in-process / socket per round: ${ratios.map((r) => r.toFixed(2)).join(' ')}`);

    const text = JSON.stringify(body);
    await overheadUs(mockFetch, text, Math.min(2_000, plan.overheadRequests));
    const samples = await overheadUs(mockFetch, text, plan.overheadRequests);
    const med = median(samples);
    row(
      'createMockFetch alone',
      `median ${med.toFixed(1)} µs`,
      `p95 ${percentile(samples, 95).toFixed(1)} µs`,
      `(${samples.length.toLocaleString('en-US')} sequential requests, reply body read)`,
    );
    const checks: Check[] = [
      {
        figure: FIGURE,
        what: 'createMockFetch / socket (SDK req/s)',
        measured: fmt.ratio(ratio),
        target: '≥ 3×',
        verdict: atLeast(ratio, 3),
      },
      {
        figure: FIGURE,
        what: 'createMockFetch per request (median)',
        measured: `${med.toFixed(1)} µs`,
        target: '≤ 50 µs',
        verdict: atMost(med, 50),
      },
    ];
    return checks;
  },
};
