import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Agent } from 'undici';
import { Call } from '../shared/schema.js';
import { spawnChild, type Child } from './child.js';
import type { Figure } from './figure.js';
import { keepAliveAgent, send, type HttpRequest } from './http.js';
import { serverScript } from './paths.js';
import { atMost, fmt, row, say, type Check } from './report.js';
import { writeStaticResponse, type StaticResponse } from './static-response.js';
import { median, percentile } from './stats.js';
import { startTapedeck, type RunningTapedeck } from './tapedeck.js';

const FIGURE = 'record-overhead';

interface Plan {
  warmup: number;
  perSide: number;
  /** Direct and recorded requests alternate in blocks (ABBA), so drift hits both alike. */
  block: number;
}
const FULL: Plan = { warmup: 300, perSide: 2000, block: 100 };
const QUICK: Plan = { warmup: 50, perSide: 300, block: 50 };

const UPSTREAM_REPLY: StaticResponse = {
  status: 200,
  headers: { 'content-type': 'application/json', 'x-request-id': 'req_local' },
  body: JSON.stringify({
    id: 'chatcmpl-local',
    object: 'chat.completion',
    created: 1790000000,
    model: 'local-model',
    choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  }),
};

const REQUEST_BODY = JSON.stringify({
  model: 'local-model',
  messages: [{ role: 'user', content: 'ping' }],
  temperature: 0,
});

export const recordOverhead: Figure = {
  name: FIGURE,
  title: 'record overhead: sequential keep-alive requests, direct vs through `tapedeck record`',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const configFile = await writeStaticResponse(
      join(ctx.workDir, 'upstream-response.json'),
      UPSTREAM_REPLY,
    );
    const snapshotDir = join(ctx.workDir, 'snapshot');
    const agent = keepAliveAgent();
    let upstream: Child | undefined;
    let tapedeck: RunningTapedeck | undefined;
    try {
      upstream = spawnChild(
        'local upstream',
        process.execPath,
        [serverScript('static-server'), configFile],
        {
          logFile: join(ctx.workDir, 'upstream.log'),
        },
      );
      const upstreamUrl = (await upstream.listening(10_000)).url;
      tapedeck = await startTapedeck(
        'record',
        snapshotDir,
        ['--upstream', `local=${upstreamUrl}`],
        join(ctx.workDir, 'tapedeck.log'),
      );

      const direct = chatRequest(`${upstreamUrl}/v1/chat/completions`);
      const recorded = chatRequest(`${tapedeck.url}/local/v1/chat/completions`);
      for (let i = 0; i < plan.warmup; i++) {
        await timed(agent, direct);
        await timed(agent, recorded);
      }
      const directMs: number[] = [];
      const recordedMs: number[] = [];
      for (let b = 0; directMs.length < plan.perSide; b++) {
        const order = b % 2 === 0 ? [direct, recorded] : [recorded, direct];
        for (const req of order) {
          const into = req === direct ? directMs : recordedMs;
          for (let i = 0; i < plan.block; i++) into.push(await timed(agent, req));
        }
      }
      await checkRecording(snapshotDir, plan.warmup + recordedMs.length);

      const addedMedian = median(recordedMs) - median(directMs);
      const addedP99 = percentile(recordedMs, 99) - percentile(directMs, 99);
      say(
        `  ${directMs.length} requests each way after ${plan.warmup} warm-up, blocks of ${plan.block}`,
      );
      row(
        'direct',
        `median ${fmt.ms(median(directMs), 3)}`,
        `p99 ${fmt.ms(percentile(directMs, 99), 3)}`,
      );
      row(
        'through tapedeck record',
        `median ${fmt.ms(median(recordedMs), 3)}`,
        `p99 ${fmt.ms(percentile(recordedMs, 99), 3)}`,
      );
      row('added', `median ${fmt.ms(addedMedian, 3)}`, `p99 ${fmt.ms(addedP99, 3)}`);
      return [
        {
          figure: FIGURE,
          what: 'added latency, median',
          measured: `${fmt.ms(addedMedian, 3)} (p99 ${fmt.ms(addedP99, 3)})`,
          target: '≤ 1 ms',
          verdict: atMost(addedMedian, 1),
        },
      ] satisfies Check[];
    } finally {
      await agent.close();
      await tapedeck?.child.stop();
      await upstream?.stop();
    }
  },
};

function chatRequest(url: string): HttpRequest {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key' },
    body: REQUEST_BODY,
  };
}

/** Wall time of one complete exchange, body included; a wrong answer fails the figure. */
async function timed(agent: Agent, req: HttpRequest): Promise<number> {
  const start = performance.now();
  const res = await send(agent, req);
  const ms = performance.now() - start;
  if (res.status !== 200 || res.body.toString('utf8') !== UPSTREAM_REPLY.body) {
    throw new Error(
      `${req.url} answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`,
    );
  }
  return ms;
}

/**
 * A recorder that is fast because it skipped its job would make the figure meaningless. The
 * writes may trail the replies, so the files get a moment to appear.
 */
async function checkRecording(snapshotDir: string, expected: number): Promise<void> {
  const callsDir = join(snapshotDir, 'calls');
  const deadline = performance.now() + 10_000;
  let files = await callFiles(callsDir);
  while (files.length < expected && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    files = await callFiles(callsDir);
  }
  if (files.length !== expected) {
    throw new Error(`tapedeck record wrote ${files.length} call files for ${expected} requests`);
  }
  for (const file of files) {
    const parsed = Call.safeParse(JSON.parse(await readFile(join(callsDir, file), 'utf8')));
    if (!parsed.success)
      throw new Error(`recorded ${file} is not a valid call: ${parsed.error.message}`);
  }
  say(`  ${files.length} recorded call files, all valid`);
}

/** Finished call files only: an atomic writer's temporary files have other names. */
async function callFiles(callsDir: string): Promise<string[]> {
  return (await readdir(callsDir)).filter((f) => f.endsWith('.json'));
}
