import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import type { Call } from '../shared/schema.js';
import { replayRequest } from './calls.js';
import { rssBytes, spawnChild } from './child.js';
import type { Figure } from './figure.js';
import { keepAliveAgent, send, type HttpRequest } from './http.js';
import { atMost, fmt, row, say, type Check, type Verdict } from './report.js';
import { generateSnapshot } from './snapshot-gen.js';
import { median, percentile } from './stats.js';
import { cliPath, repoRoot } from './paths.js';

const FIGURE = 'mock-scale';
const READY_TARGET_MS = 2000;
const RSS_TARGET_BYTES = 300e6;
const MISS_TARGET_MS = 20;
/** Hit p99 while misses arrive, as a multiple of hit p99 alone. */
const UNDER_MISSES_TARGET = 1.5;
const MISS_RATE_PER_S = 100;
/** Distinct recorded calls the hit phases cycle through. */
const HIT_CALLS = 200;
const MAX_MISSES_IN_FLIGHT = 4;
const START_TIMEOUT_MS = 180_000;

interface SizeResult {
  calls: number;
  readyMs: number;
  rss: number;
  firstMissMs: number;
  missP50: number;
  missP95: number;
  hitP99Alone: number;
  hitP99UnderMisses: number;
  missesSent: number;
  /** RSS once every phase has run: indexes filed, replies prepared. */
  rssAfter: number;
  /** Misses not sent because four were still unanswered. */
  missesSkipped: number;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

export const mockScale: Figure = {
  name: FIGURE,
  title: 'mock at scale: 1k / 10k / 100k calls (ready, memory, misses, hits under misses)',
  async run(ctx) {
    const sizes = ctx.quick ? [1000, 10_000] : [1000, 10_000, 100_000];
    const starts = ctx.quick ? 1 : 3;
    const hits = ctx.quick ? 600 : 3000;
    const missCount = ctx.quick ? 60 : 300;
    const results: SizeResult[] = [];
    for (const n of sizes) {
      const t0 = performance.now();
      const snap = await generateSnapshot(join(ctx.workDir, `snapshot-${n}`), n);
      say(
        `  generated ${n.toLocaleString('en-US')} calls (${fmt.mib(snap.bytes)}) in ` +
          `${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      const calls = await someCalls(snap.dir, HIT_CALLS);
      results.push(await measureSize(snap.dir, n, calls, { starts, hits, missCount }));
      const r = results.at(-1) as SizeResult;
      row(
        `${n.toLocaleString('en-US')} calls`,
        `ready ${fmt.ms(r.readyMs, 0)}`,
        `RSS ${mb(r.rss)} (${mb(r.rssAfter)} after the run)`,
        `first miss ${fmt.ms(r.firstMissMs, 1)}`,
        `miss p50 ${fmt.ms(r.missP50)} p95 ${fmt.ms(r.missP95)}`,
      );
      row(
        '',
        `hit p99 alone ${fmt.ms(r.hitP99Alone)}`,
        `under ${r.missesSent} misses at ${MISS_RATE_PER_S}/s ${fmt.ms(r.hitP99UnderMisses)}` +
          (r.missesSkipped
            ? ` (${r.missesSkipped} not sent: ${MAX_MISSES_IN_FLIGHT} unanswered)`
            : ''),
      );
    }
    return checks(results);
  },
};

function checks(results: SizeResult[]): Check[] {
  const base = results[0] as SizeResult;
  const top = results.at(-1) as SizeResult;
  const label = top.calls.toLocaleString('en-US');
  const vs = (a: number, b: number): string => fmt.ratio(a / b);
  const out: Check[] = [
    {
      figure: FIGURE,
      what: `ready, ${label} calls`,
      measured: `${fmt.ms(top.readyMs, 0)} (${vs(top.readyMs, base.readyMs)} 1k)`,
      target: `≤ ${READY_TARGET_MS} ms`,
      verdict: atMost(top.readyMs, READY_TARGET_MS),
    },
    {
      figure: FIGURE,
      what: `RSS after ready, ${label} calls`,
      measured: `${mb(top.rss)} (${vs(top.rss, base.rss)} 1k)`,
      target: `≤ ${mb(RSS_TARGET_BYTES)}`,
      verdict: atMost(top.rss, RSS_TARGET_BYTES),
    },
    {
      figure: FIGURE,
      what: `miss p95, ${label} calls`,
      measured: `${fmt.ms(top.missP95)} (${vs(top.missP95, base.missP95)} 1k)`,
      target: `≤ ${MISS_TARGET_MS} ms`,
      verdict: atMost(top.missP95, MISS_TARGET_MS),
    },
  ];
  for (const r of results) {
    const ratio = r.hitP99UnderMisses / r.hitP99Alone;
    const verdict: Verdict = atMost(ratio, UNDER_MISSES_TARGET);
    out.push({
      figure: FIGURE,
      what: `hit p99 under misses, ${r.calls.toLocaleString('en-US')}`,
      measured: `${fmt.ratio(ratio)} (${fmt.ms(r.hitP99UnderMisses)} / ${fmt.ms(r.hitP99Alone)})`,
      target: `≤ ${fmt.ratio(UNDER_MISSES_TARGET)} alone`,
      verdict,
    });
  }
  return out;
}

/** Recorded calls spread evenly over the snapshot, read back from its files. */
export async function someCalls(dir: string, count: number): Promise<Call[]> {
  const names = (await readdir(join(dir, 'calls'))).filter((n) => n.endsWith('.json')).sort();
  const step = Math.max(1, Math.floor(names.length / count));
  const out: Call[] = [];
  for (let i = 0; i < names.length && out.length < count; i += step) {
    const call = JSON.parse(await readFile(join(dir, 'calls', names[i] as string), 'utf8')) as Call;
    if (!call.response.stream) out.push(call);
  }
  if (out.length === 0) throw new Error(`${dir} has no non-streamed call`);
  return out;
}

/**
 * A request no call matches but one is close to: a recorded request with a word added to its
 * longest string (the prompt), different for every `n`, so no miss can be answered from a memo.
 */
function missRequest(call: Call, url: string, n: number): HttpRequest {
  const req = replayRequest(call, url);
  const body = JSON.parse(req.body ?? 'null') as unknown;
  let longest: { holder: Record<string | number, unknown>; key: string | number } | null = null;
  let longestLen = -1;
  const walk = (v: unknown): void => {
    if (Array.isArray(v) || (typeof v === 'object' && v !== null)) {
      const o = v as Record<string | number, unknown>;
      for (const k of Object.keys(o)) {
        const x = o[k];
        if (typeof x === 'string' && x.length > longestLen) {
          longest = { holder: o, key: k };
          longestLen = x.length;
        } else walk(x);
      }
    }
  };
  walk(body);
  if (longest === null) throw new Error(`call ${call.id} has no string in its request body`);
  const { holder, key } = longest as { holder: Record<string | number, unknown>; key: string };
  holder[key] = `${holder[key] as string} (variant ${n})`;
  return { ...req, body: JSON.stringify(body) };
}

async function timed(agent: Agent, req: HttpRequest, status: number): Promise<number> {
  const t = performance.now();
  const res = await send(agent, req);
  const ms = performance.now() - t;
  if (res.status !== status) {
    throw new Error(
      `${req.method} ${req.url} answered ${res.status}, not ${status}: ${res.body.toString('utf8').slice(0, 300)}`,
    );
  }
  if (status === 404 && !res.headers['x-tapedeck-closest'])
    throw new Error('a miss was answered without x-tapedeck-closest');
  return ms;
}

export async function measureSize(
  dir: string,
  calls: number,
  sample: Call[],
  o: { starts: number; hits: number; missCount: number },
): Promise<SizeResult> {
  const readies: number[] = [];
  const rsses: number[] = [];
  let last: SizeResult | null = null;
  for (let s = 0; s < o.starts; s++) {
    const tapedeck = await startMock(dir);
    try {
      readies.push(tapedeck.listeningAfterMs);
      rsses.push(await rssBytes(tapedeck.child.pid));
      // The latencies are measured on the last start only: they do not depend on the start.
      if (s === o.starts - 1) last = await latencies(tapedeck, calls, sample, o);
    } finally {
      await tapedeck.child.stop();
    }
  }
  return { ...(last as SizeResult), readyMs: median(readies), rss: median(rsses) };
}

interface RunningTapedeck {
  child: ReturnType<typeof spawnChild>;
  url: string;
  listeningAfterMs: number;
}

/** As `startTapedeck`, with room for 100,000 calls on a loaded machine. */
async function startMock(dir: string): Promise<RunningTapedeck> {
  const args = [cliPath, 'mock', dir, '--port', '0', '--timing', 'instant'];
  const child = spawnChild('tapedeck mock', process.execPath, args, {
    cwd: repoRoot,
    logFile: `${dir}.log`,
  });
  try {
    const { url, at } = await child.listening(START_TIMEOUT_MS);
    return { child, url, listeningAfterMs: at - child.spawnedAt };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

async function latencies(
  tapedeck: RunningTapedeck,
  calls: number,
  sample: Call[],
  o: { hits: number; missCount: number },
): Promise<SizeResult> {
  const hitAgent = keepAliveAgent();
  // Several connections: a miss that is slow to answer must not hold back the next on the wire.
  const missAgent = new Agent({ connections: 4, pipelining: 1, keepAliveTimeout: 60_000 });
  const hitReqs = sample.map((c) => replayRequest(c, tapedeck.url));
  let missNo = 0;
  const nextMiss = (): HttpRequest =>
    missRequest(sample[missNo % sample.length] as Call, tapedeck.url, missNo++);
  try {
    const firstMissMs = await timed(missAgent, nextMiss(), 404);
    // Every recorded request once, so the hit phases measure replay, not first-use preparation.
    for (const r of hitReqs) await timed(hitAgent, r, 200);
    for (let i = 0; i < 20; i++) await timed(missAgent, nextMiss(), 404);

    const missMs: number[] = [];
    for (let i = 0; i < o.missCount; i++) missMs.push(await timed(missAgent, nextMiss(), 404));

    const hitPhase = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < o.hits; i++)
        out.push(await timed(hitAgent, hitReqs[i % hitReqs.length] as HttpRequest, 200));
      return out;
    };
    const alone = await hitPhase();

    // Misses at a fixed rate, each on its own schedule whether or not the last one is answered.
    let stop = false;
    let sent = 0;
    let skipped = 0;
    const pending: Promise<number>[] = [];
    const misser = (async () => {
      const start = performance.now();
      let inFlight = 0;
      while (!stop) {
        // A server that cannot keep up gets fewer misses rather than an ever longer queue.
        if (inFlight < MAX_MISSES_IN_FLIGHT) {
          inFlight++;
          pending.push(timed(missAgent, nextMiss(), 404).finally(() => inFlight--));
          sent++;
        } else skipped++;
        const due = sent + skipped;
        const wait = start + (due * 1000) / MISS_RATE_PER_S - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    })();
    const under = await hitPhase();
    stop = true;
    await misser;
    await Promise.all(pending);
    const rssAfter = await rssBytes(tapedeck.child.pid);

    return {
      rssAfter,
      calls,
      readyMs: 0,
      rss: 0,
      firstMissMs,
      missP50: median(missMs),
      missP95: percentile(missMs, 95),
      hitP99Alone: percentile(alone, 99),
      hitP99UnderMisses: percentile(under, 99),
      missesSent: sent,
      missesSkipped: skipped,
    };
  } finally {
    await hitAgent.close();
    await missAgent.close();
  }
}
