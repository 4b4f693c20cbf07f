import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { request, type Agent } from 'undici';
import { Call, type StreamEvent } from '../shared/schema.js';
import { replayRequest } from './calls.js';
import { spawnChild, type Child } from './child.js';
import type { Figure } from './figure.js';
import { SSE_EVENT_COUNT, streamedCall } from './fixtures.js';
import { atOrigin, keepAliveAgent, type HttpRequest } from './http.js';
import { serverScript } from './paths.js';
import { atMost, fmt, row, say, type Check } from './report.js';
import { writeSnapshot } from './snapshot-gen.js';
import { max, percentile } from './stats.js';
import { startTapedeck, type RunningTapedeck } from './tapedeck.js';

const FIGURE = 'sse-timing';

export const sseTiming: Figure = {
  name: FIGURE,
  title: `SSE replay timing: ${SSE_EVENT_COUNT} events 10–30 ms apart, --timing recorded`,
  async run(ctx) {
    const replays = ctx.quick ? 2 : 5;
    const call = Call.parse(streamedCall());
    const recorded = call.response.stream ?? [];
    const snapshotDir = join(ctx.workDir, 'snapshot');
    await writeSnapshot(snapshotDir, [call]);
    const callFile = join(ctx.workDir, 'stream-call.json');
    await writeFile(callFile, JSON.stringify(call));

    const agent = keepAliveAgent();
    let baseline: Child | undefined;
    let tapedeck: RunningTapedeck | undefined;
    try {
      baseline = spawnChild(
        'bare SSE replayer',
        process.execPath,
        [serverScript('sse-server'), callFile],
        {
          logFile: join(ctx.workDir, 'baseline.log'),
        },
      );
      tapedeck = await startTapedeck(
        'mock',
        snapshotDir,
        ['--timing', 'recorded'],
        join(ctx.workDir, 'tapedeck.log'),
      );
      const tapedeckReq = replayRequest(call, tapedeck.url);
      const baselineReq = atOrigin(tapedeckReq, (await baseline.listening(10_000)).url);

      // The first replay of each warms up code paths and the connection; it is not counted.
      await replay(agent, baselineReq, recorded);
      await replay(agent, tapedeckReq, recorded);
      const baselineErrors: number[] = [];
      const tapedeckErrors: number[] = [];
      for (let i = 0; i < replays; i++) {
        baselineErrors.push(...(await replay(agent, baselineReq, recorded)));
        tapedeckErrors.push(...(await replay(agent, tapedeckReq, recorded)));
      }

      const stats = (errors: number[]) => ({
        p50: percentile(errors, 50),
        p95: percentile(errors, 95),
        max: max(errors),
      });
      const b = stats(baselineErrors);
      const t = stats(tapedeckErrors);
      say(
        `  |arrival − recorded at| over ${replays} replays × ${recorded.length} events, after one warm-up replay`,
      );
      for (const [name, s] of [
        ['bare SSE replayer', b],
        ['tapedeck mock', t],
      ] as const) {
        row(name, `p50 ${fmt.ms(s.p50)}`, `p95 ${fmt.ms(s.p95)}`, `max ${fmt.ms(s.max)}`);
      }
      return [
        {
          figure: FIGURE,
          what: 'event timing error, p95',
          measured: `${fmt.ms(t.p95)} (bare ${fmt.ms(b.p95)})`,
          target: '≤ 5 ms',
          verdict: atMost(t.p95, 5),
        },
      ] satisfies Check[];
    } finally {
      await agent.close();
      await tapedeck?.child.stop();
      await baseline?.stop();
    }
  },
};

/**
 * Plays the stream once and returns each event's timing error in ms. Events are timestamped as
 * the parser completes them, chunk by chunk, relative to the moment the request was sent.
 */
async function replay(agent: Agent, req: HttpRequest, recorded: StreamEvent[]): Promise<number[]> {
  const arrivals: Array<{ ms: number; event: string | undefined; data: string }> = [];
  let start = 0;
  const parser = createParser({
    onEvent: (ev) =>
      arrivals.push({ ms: performance.now() - start, event: ev.event, data: ev.data }),
  });
  start = performance.now();
  const res = await request(req.url, {
    dispatcher: agent,
    method: 'POST',
    headers: req.headers,
    body: req.body,
  });
  if (res.statusCode !== 200) {
    throw new Error(
      `${req.url} answered ${res.statusCode}: ${(await res.body.text()).slice(0, 300)}`,
    );
  }
  const decoder = new TextDecoder();
  for await (const chunk of res.body)
    parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
  parser.feed(decoder.decode());

  if (arrivals.length !== recorded.length) {
    throw new Error(
      `${req.url}: ${arrivals.length} events arrived, ${recorded.length} were recorded`,
    );
  }
  return recorded.map((ev, i) => {
    const got = arrivals[i] as (typeof arrivals)[number];
    if (got.data !== ev.data || got.event !== ev.event) {
      throw new Error(
        `${req.url}: event ${i} differs from the recording: ${got.data.slice(0, 120)}`,
      );
    }
    return Math.abs(got.ms - ev.at);
  });
}
