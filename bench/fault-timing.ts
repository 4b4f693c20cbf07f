import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { Call } from '../shared/schema.js';
import { replayRequest } from './calls.js';
import type { Figure } from './figure.js';
import { chatCompletionCall } from './fixtures.js';
import { spawnChild, type Child } from './child.js';
import { atOrigin, send, type HttpRequest } from './http.js';
import { fmt, row, say, type Check } from './report.js';
import { writeSnapshot } from './snapshot-gen.js';
import { max, percentile } from './stats.js';
import { staticResponseOf, writeStaticResponse } from './static-response.js';
import { startTapedeck } from './tapedeck.js';

// The baseline server is compiled next to this module (dist/bench/).
const here = dirname(fileURLToPath(import.meta.url));

const FIGURE = 'fault-timing';
const CONCURRENCY = 50;
const DELAY_MS = 200;

interface Plan {
  warmupS: number;
  /** Tapedeck and the bare baseline take turns, so load from other processes hits both. */
  rounds: number;
  roundS: number;
}

const FULL: Plan = { warmupS: 2, rounds: 5, roundS: 2 };
const QUICK: Plan = { warmupS: 1, rounds: 1, roundS: 2 };

export const faultTiming: Figure = {
  name: FIGURE,
  title: `latency fault accuracy: fixed ${DELAY_MS} ms to headers, ${CONCURRENCY} concurrent requests`,
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const call = Call.parse({
      ...chatCompletionCall(),
      faults: [{ kind: 'latency', ttfb: { fixed: DELAY_MS } }],
    });
    const dir = join(ctx.workDir, 'snapshot');
    await writeSnapshot(dir, [call]);
    const tapedeck = await startTapedeck(
      'mock',
      dir,
      ['--timing', 'instant'],
      join(ctx.workDir, 'tapedeck.log'),
    );
    let bare: Child | undefined;
    // One connection per client, kept alive: what is measured is the delay, not the handshakes.
    const agent = new Agent({ connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 60_000 });
    try {
      const req = replayRequest(call, tapedeck.url);
      const first = await send(agent, req);
      if (first.status !== 200 || first.headers['x-tapedeck-fault'] !== 'latency')
        throw new Error(`tapedeck mock answered ${first.status} without the latency fault`);
      const config = await writeStaticResponse(
        join(ctx.workDir, 'bare-response.json'),
        staticResponseOf(first),
      );
      bare = spawnChild(
        'bare delayed node:http',
        process.execPath,
        [join(here, 'fault-delay-server.js'), config, String(DELAY_MS)],
        { logFile: join(ctx.workDir, 'bare.log') },
      );
      const bareReq = atOrigin(req, (await bare.listening(10_000)).url);

      await closedLoop(agent, bareReq, plan.warmupS * 1000, false);
      await closedLoop(agent, req, plan.warmupS * 1000, true);
      const bareSamples: number[] = [];
      const samples: number[] = [];
      for (let i = 0; i < plan.rounds; i++) {
        bareSamples.push(...(await closedLoop(agent, bareReq, plan.roundS * 1000, false)));
        samples.push(...(await closedLoop(agent, req, plan.roundS * 1000, true)));
      }
      say(
        `  ${CONCURRENCY} clients in a closed loop, ${plan.rounds}×${plan.roundS} s each in turns ` +
          `after ${plan.warmupS} s of warm-up; request sent → whole reply read`,
      );
      const line = (name: string, xs: number[]) =>
        row(
          name,
          `n ${xs.length}`,
          `min ${fmt.ms(Math.min(...xs))}`,
          `p50 ${fmt.ms(percentile(xs, 50))}`,
          `p95 ${fmt.ms(percentile(xs, 95))}`,
          `p99 ${fmt.ms(percentile(xs, 99))}`,
          `max ${fmt.ms(max(xs))}`,
        );
      line('bare setTimeout server', bareSamples);
      line('tapedeck latency fault', samples);
      const p95 = percentile(samples, 95);
      const min = Math.min(...samples);
      return [
        {
          figure: FIGURE,
          what: `fixed ${DELAY_MS} ms, p95`,
          measured: `${fmt.ms(p95)} (bare ${fmt.ms(percentile(bareSamples, 95))})`,
          target: `${DELAY_MS}–${DELAY_MS + 10} ms`,
          verdict: p95 >= DELAY_MS && p95 <= DELAY_MS + 10 ? 'PASS' : 'MISS',
        },
        {
          figure: FIGURE,
          what: 'never early (min)',
          measured: fmt.ms(min),
          // Node timers may fire up to a millisecond before their time.
          target: `≥ ${DELAY_MS - 1} ms`,
          verdict: min >= DELAY_MS - 1 ? 'PASS' : 'MISS',
        },
      ] satisfies Check[];
    } finally {
      await agent.close();
      await bare?.stop();
      await tapedeck.child.stop();
    }
  },
};

/**
 * CONCURRENCY clients, each sending its next request as soon as the previous reply is read, for
 * `ms`; returns every request's latency. Tapedeck's replies are checked to carry the fault.
 */
async function closedLoop(
  agent: Agent,
  req: HttpRequest,
  ms: number,
  faulted: boolean,
): Promise<number[]> {
  const samples: number[] = [];
  const until = performance.now() + ms;
  const client = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const res = await request(req.url, {
        dispatcher: agent,
        method: 'POST',
        headers: req.headers,
        body: req.body,
      });
      await res.body.arrayBuffer();
      samples.push(performance.now() - t0);
      if (res.statusCode !== 200 || (faulted && res.headers['x-tapedeck-fault'] !== 'latency')) {
        throw new Error(
          `${req.url}: expected 200${faulted ? ' with x-tapedeck-fault: latency' : ''}, got ` +
            `${res.statusCode} ${String(res.headers['x-tapedeck-fault'] ?? '')}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  return samples;
}
