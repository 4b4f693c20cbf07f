/**
 * The load loop: for each concurrency step, that many workers send the requests in turn (cycling
 * through the list) for a duration or an exact count, over one undici Pool with a connection per
 * worker. Orchestration, timing and counting are ours; undici only carries the requests.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { runVendors, statsDelta, type StatsSample } from '../../shared/load/vendor-delta.js';
import {
  reportedSecond,
  runSecondOf,
  secondsOverlapping,
  stepVendorSide,
  withVendorSide,
  type SampledSecond,
} from '../../shared/load/vendor-side.js';
import type { RunStep, RunVendor, VendorSecond } from '../../shared/schema.js';
import type { LoadRequest } from './requests.js';
import { StepStats } from './step-stats.js';
import { readSamples, sampleStats } from './vendors.js';

export interface LoadPlan {
  /** Base URL; each request's path is appended to it. */
  target: string;
  requests: readonly LoadRequest[];
  steps: readonly number[];
  /** Per step: run this long (ms), or send exactly `count` requests. One of the two is set. */
  durationMs: number | null;
  count: number | null;
  /** A request not finished after this many ms is aborted and counted as a timeout; 0: never. */
  timeoutMs: number;
  /** At most this many requests per second over all workers; null: as fast as they go. */
  rate: number | null;
  /** A mock whose `/__tapedeck/stats` gives the vendor side; null: the target side alone. */
  mockUrl: string | null;
  /** Once true, no new request is sent: the step ends with those in flight, and no step follows. */
  stopped?: () => boolean;
  /** Called as each step ends, before the next starts. */
  onStep?: (step: RunStep, index: number) => void;
}

const SAMPLE_MS = 1000;
const SAMPLE_LATE_MS = 2;
/** A long step reads the mock's samples this often too: the mock keeps only 15 minutes. */
const SAMPLES_EVERY = 60;

const epoch = (perf: number) => performance.timeOrigin + perf;

/**
 * The mock's second-by-second samples over a run (`/__tapedeck/samples`), read at each step's
 * end. A mock without the endpoint (404) is asked once; the run then goes on without them.
 */
class SamplesReader {
  /** null until asked; false: this mock keeps no samples. */
  supported: boolean | null = null;
  /** The mock's clock minus ours, from the quickest read. */
  offsetMs = 0;
  private bestRtt = Infinity;
  private newest = 0;
  private readonly seconds = new Map<number, SampledSecond>();

  constructor(private readonly url: string) {}

  /** A new step: the seconds of the one before are done with. */
  clear(): void {
    this.seconds.clear();
    this.newest = 0;
  }

  /** Reads what is new since `fromPerf` (our clock); a failed read is made up by the next. */
  async read(fromPerf: number): Promise<void> {
    if (this.supported === false) return;
    const since = Math.max(epoch(fromPerf) + this.offsetMs, this.newest);
    const r = await readSamples(this.url, since).catch(() => undefined);
    if (r === undefined) return;
    if (r === null) {
      this.supported = false;
      return;
    }
    this.supported = true;
    if (r.rttMs < this.bestRtt) {
      this.bestRtt = r.rttMs;
      this.offsetMs = r.offsetMs;
    }
    // A second read again is newer: the one read before may have been still filling.
    for (const sec of r.samples.seconds) {
      this.seconds.set(sec.t, sec);
      if (sec.t > this.newest) this.newest = sec.t;
    }
  }

  /** The seconds overlapping [fromPerf, toPerf] on our clock, oldest first. */
  between(fromPerf: number, toPerf: number): SampledSecond[] {
    const all = [...this.seconds.values()].sort((a, b) => a.t - b.t);
    return secondsOverlapping(all, epoch(fromPerf) + this.offsetMs, epoch(toPerf) + this.offsetMs);
  }
}

/** performance.now() at the start of the current wall-clock second: the run's seconds line up with the mock's. */
function wholeSecondNow(): number {
  const now = performance.now();
  return now - (epoch(now) % 1000);
}

function splitTarget(target: string): { origin: string; base: string } {
  const u = new URL(target);
  return { origin: u.origin, base: u.pathname.replace(/\/+$/, '') };
}

/**
 * Reads the mock once a second, on the run's whole seconds, handing each difference to the second
 * it was counted in: a read just after second k's end holds what ended in second k, so the vendor
 * lines of the charts sit in the same seconds as the target's requests that caused them.
 */
class Sampler {
  private stopped = false;
  private last: StatsSample;
  /** When the counts in `last` were read: the start of the interval the next read covers. */
  private lastAt: number;
  private readonly loop: Promise<void>;

  constructor(
    private readonly url: string,
    first: StatsSample,
    firstAt: number,
    private readonly runStart: number,
    private readonly stats: StepStats,
    private readonly samples: { reader: SamplesReader; from: number } | null,
  ) {
    this.last = first;
    this.lastAt = firstAt;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    for (let tick = 1; !this.stopped; tick++) {
      const now = performance.now();
      const next = this.runStart + (Math.floor((now - this.runStart) / SAMPLE_MS) + 1) * SAMPLE_MS;
      // A little past the boundary: a timer may fire a millisecond early.
      await sleep(next - now + SAMPLE_LATE_MS);
      if (this.stopped) return;
      await this.take();
      if (this.samples && tick % SAMPLES_EVERY === 0)
        await this.samples.reader.read(this.samples.from);
    }
  }

  private async take(): Promise<void> {
    const at = performance.now();
    // A sample missed (the mock busy or gone) is folded into the next one.
    const now = await sampleStats(this.url).catch(() => null);
    if (now === null) return;
    this.stats.vendorSample(statsDelta(this.last, now), this.lastAt);
    this.last = now;
    this.lastAt = at;
  }

  /** The last sample, taken once every request of the step has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.take();
  }
}

/**
 * One request through undici's dispatch API: a handler instead of a Readable body and no
 * AbortSignal, which together cost more than half the throughput of `request()` on a fast target.
 * The timeout aborts through the dispatch controller.
 */
function sendOne(
  pool: Pool,
  base: string,
  r: LoadRequest,
  timeoutMs: number,
  stats: StepStats,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const t0 = performance.now();
    let status = 0;
    let controller: { abort(reason: Error): void } | null = null;
    let timedOut = false;
    let done = false;
    const finish = (record: (at: number) => void) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      record(performance.now());
      resolve();
    };
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            controller?.abort(new Error('tapedeck load: --timeout'));
          }, timeoutMs)
        : null;
    pool.dispatch(
      { path: base + r.path, method: r.method, headers: r.headers, body: r.body },
      {
        onRequestStart(c) {
          controller = c;
          if (timedOut) c.abort(new Error('tapedeck load: --timeout'));
        },
        onResponseStart(_c, statusCode) {
          status = statusCode;
        },
        // The latency is the whole reply, as the caller of the service waits for it.
        onResponseData() {},
        onResponseEnd() {
          finish((at) => stats.reply(status, at - t0, at));
        },
        onResponseError() {
          finish((at) => (timedOut ? stats.timeout(at) : stats.network(at)));
        },
      },
    );
  });
}

async function runStep(
  plan: LoadPlan,
  pool: Pool,
  base: string,
  concurrency: number,
  runStart: number,
  reader: SamplesReader | null,
): Promise<RunStep> {
  const stats = new StepStats(concurrency, runStart);
  const before = plan.mockUrl !== null ? await sampleStats(plan.mockUrl) : null;
  const start = performance.now();
  reader?.clear();
  const sampler =
    plan.mockUrl !== null && before !== null
      ? new Sampler(plan.mockUrl, before, start, runStart, stats, reader && { reader, from: start })
      : null;
  const deadline = plan.durationMs !== null ? start + plan.durationMs : Infinity;
  const n = plan.requests.length;
  let next = 0;
  // Shared by the workers, so --count is exact whatever the concurrency.
  const take = (): number | null => {
    if (plan.stopped?.()) return null;
    if (plan.count !== null ? next >= plan.count : performance.now() >= deadline) return null;
    return next++;
  };
  const worker = async () => {
    for (let i = take(); i !== null; i = take()) {
      if (plan.rate !== null) {
        const due = start + (i / plan.rate) * 1000;
        if (due >= deadline) return;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const r = plan.requests[i % n];
      if (r) await sendOne(pool, base, r, plan.timeoutMs, stats);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const end = performance.now();
  let vendors: Record<string, RunVendor> = {};
  if (sampler !== null && before !== null && plan.mockUrl !== null) {
    await sampler.stop();
    const after = await sampleStats(plan.mockUrl).catch(() => null);
    if (after !== null) vendors = runVendors(statsDelta(before, after));
    if (reader) {
      await reader.read(start);
      if (reader.supported === true)
        vendors = vendorSide(reader, stats, vendors, start, end, runStart);
    }
  }
  return stats.finish(end - start, vendors);
}

/** The step's seconds and vendors with what the mock sampled over the step. */
function vendorSide(
  reader: SamplesReader,
  stats: StepStats,
  vendors: Record<string, RunVendor>,
  start: number,
  end: number,
  runStart: number,
): Record<string, RunVendor> {
  const seconds = reader.between(start, end);
  const runStartMock = epoch(runStart) + reader.offsetMs;
  for (const sec of seconds) {
    const upstreams: Record<string, VendorSecond> = {};
    for (const [name, v] of Object.entries(sec.upstreams)) upstreams[name] = reportedSecond(v);
    stats.vendorSecond(runSecondOf(sec.t, runStartMock), sec.connections, upstreams);
  }
  return withVendorSide(vendors, stepVendorSide(seconds));
}

/**
 * Runs every step in turn; `runStart` is the performance.now() the seconds count from, by default
 * the start of the current wall-clock second, so the run's seconds are the mock's seconds.
 */
export async function runSteps(plan: LoadPlan, runStart = wholeSecondNow()): Promise<RunStep[]> {
  if (plan.requests.length === 0) throw new Error('no requests to send');
  const { origin, base } = splitTarget(plan.target);
  const pool = new Pool(origin, {
    connections: Math.max(...plan.steps),
    pipelining: 1,
    // Our own --timeout decides when a request is given up; undici's must never come first.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const out: RunStep[] = [];
  const reader = plan.mockUrl !== null ? new SamplesReader(plan.mockUrl) : null;
  try {
    for (const [i, c] of plan.steps.entries()) {
      const step = await runStep(plan, pool, base, c, runStart, reader);
      out.push(step);
      plan.onStep?.(step, i);
      if (plan.stopped?.()) break;
    }
  } finally {
    await pool.close().catch(() => undefined);
  }
  return out;
}
