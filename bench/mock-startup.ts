import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Agent } from 'undici';
import type { Call } from '../shared/schema.js';
import { replayRequest } from './calls.js';
import { rssBytes } from './child.js';
import type { Figure } from './figure.js';
import { keepAliveAgent, send } from './http.js';
import { atMost, fmt, row, say, type Check } from './report.js';
import { generateSnapshot } from './snapshot-gen.js';
import { median } from './stats.js';
import { startTapedeck } from './tapedeck.js';

const FIGURE = 'mock-startup';
const CALLS = 10_000;

interface Start {
  listeningMs: number;
  readyMs: number;
  rss: number;
}

export const mockStartup: Figure = {
  name: FIGURE,
  title: `mock start-up and memory with ${CALLS.toLocaleString('en-US')} calls`,
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const t0 = performance.now();
    const big = await generateSnapshot(join(ctx.workDir, 'snapshot-10000'), CALLS);
    const empty = await generateSnapshot(join(ctx.workDir, 'snapshot-empty'), 0);
    const sample = big.sample;
    if (!sample) throw new Error('the generated snapshot has no non-streamed call');
    say(
      `  generated ${big.count} calls (${big.streams} streamed, ${fmt.mib(big.bytes)}) in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(big.byUpstream)}`,
    );

    const emptyStarts: Start[] = [];
    const bigStarts: Start[] = [];
    // Alternating keeps the baseline and the measured start under the same machine load.
    for (let i = 0; i < runs; i++) {
      emptyStarts.push(await timeStart(empty.dir, 0, sample, 404));
      bigStarts.push(await timeStart(big.dir, big.count, sample, 200));
    }
    const summary = (starts: Start[]) => ({
      listening: median(starts.map((s) => s.listeningMs)),
      ready: median(starts.map((s) => s.readyMs)),
      rss: median(starts.map((s) => s.rss)),
    });
    const e = summary(emptyStarts);
    const b = summary(bigStarts);
    say(`  median of ${runs} start(s); ready = spawn → "listening on" → first answered request`);
    for (const [name, s] of [
      ['empty snapshot', e],
      [`${CALLS.toLocaleString('en-US')} calls`, b],
    ] as const) {
      row(
        name,
        `listening ${fmt.ms(s.listening, 0)}`,
        `ready ${fmt.ms(s.ready, 0)}`,
        `RSS ${fmt.mib(s.rss)}`,
      );
    }
    const ratio = b.ready / e.ready;
    return [
      {
        figure: FIGURE,
        what: `ready, ${CALLS.toLocaleString('en-US')} calls`,
        measured: `${fmt.ms(b.ready, 0)} (${fmt.ratio(ratio)} empty)`,
        target: '≤ 2000 ms',
        verdict: atMost(b.ready, 2000),
      },
      {
        figure: FIGURE,
        what: `RSS, ${CALLS.toLocaleString('en-US')} calls`,
        measured: `${fmt.mib(b.rss)} (+${fmt.mib(b.rss - e.rss)})`,
        target: '—',
        verdict: 'INFO',
      },
    ] satisfies Check[];
  },
};

/**
 * One cold start: spawn, wait for the `listening on` line, then send the sample call's request
 * until it is answered with `status` (the snapshot's reply, or the no-match 404 for the empty one).
 */
async function timeStart(dir: string, calls: number, sample: Call, status: number): Promise<Start> {
  const tapedeck = await startTapedeck('mock', dir, ['--timing', 'instant'], `${dir}.log`);
  const agent = keepAliveAgent();
  try {
    const req = replayRequest(sample, tapedeck.url);
    for (let attempt = 0; ; attempt++) {
      const res = await send(agent, req);
      if (res.status === status) {
        if (
          status === 200 &&
          !isDeepStrictEqual(JSON.parse(res.body.toString('utf8')), sample.response.body)
        ) {
          throw new Error(`tapedeck mock replayed a different body for ${sample.id}`);
        }
        break;
      }
      if (attempt >= 50) {
        throw new Error(
          `tapedeck mock answered ${res.status}, not ${status}: ${res.body.toString('utf8').slice(0, 300)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = performance.now() - tapedeck.child.spawnedAt;
    const rss = await rssBytes(tapedeck.child.pid);
    await checkLoaded(agent, tapedeck.url, calls);
    return { listeningMs: tapedeck.listeningAfterMs, readyMs, rss };
  } finally {
    await agent.close();
    await tapedeck.child.stop();
  }
}

/**
 * A start that skipped files would look fast: the health endpoint's counts, where it reports
 * them, must show every call loaded and no load error.
 */
async function checkLoaded(agent: Agent, url: string, calls: number): Promise<void> {
  const res = await send(agent, { method: 'GET', url: `${url}/__tapedeck/health` });
  if (res.status !== 200) throw new Error(`/__tapedeck/health answered ${res.status}`);
  const health = JSON.parse(res.body.toString('utf8')) as { calls?: unknown; errors?: unknown };
  if (typeof health.calls === 'number' && health.calls !== calls) {
    throw new Error(`tapedeck mock loaded ${health.calls} of ${calls} calls`);
  }
  if (typeof health.errors === 'number' && health.errors > 0) {
    throw new Error(`tapedeck mock reported ${health.errors} load errors`);
  }
}
