/**
 * Valid `tapedeck load` run reports for the Runs view's tests: steps at rising concurrency, each
 * with its seconds, three vendors, and one of them degrading so that its share of the traffic falls
 * over the run while the others take it over (what a router should do). The mock's samples ride
 * along (each second's vendor side: B's queue and time to first byte rising, its give-ups
 * climbing, C sending a malformed reply now and then) unless the spec asks for a report as a
 * tapedeck before those samples wrote it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  RUN_FORMAT,
  RunReport,
  type RunSecond,
  type RunStep,
  type RunVendor,
  type VendorSecond,
} from '../../shared/schema.js';

export const RUN_VENDORS = ['vendor-a', 'vendor-b', 'vendor-c'] as const;

export interface RunSpec {
  id: string;
  startedAt: string;
  steps?: number[];
  secondsPerStep?: number;
  /** The vendor whose share falls from its fair part to nearly nothing over the run. */
  degrading?: (typeof RUN_VENDORS)[number] | null;
  /** Scales every latency: a slower gateway build. */
  latencyFactor?: number;
  scenario?: string | null;
  /** The vendor whose replies are now and then malformed; by default C when one is degrading. */
  malformed?: (typeof RUN_VENDORS)[number] | null;
  /** False: a report as written before the mock sampled the vendor side (no vendorSide, no peaks). */
  vendorSide?: boolean;
}

const round = (n: number, places = 4) => Math.round(n * 10 ** places) / 10 ** places;

/** Splits `total` by `weights` into integers that add up to it exactly. */
function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  let rest = total - parts.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % parts.length, rest--) parts[i] = (parts[i] as number) + 1;
  return parts;
}

export function makeRunReport(spec: RunSpec): RunReport {
  const concurrencies = spec.steps ?? [5, 20, 50, 100];
  const perStep = spec.secondsPerStep ?? 6;
  const factor = spec.latencyFactor ?? 1;
  const degrading = spec.degrading === undefined ? 'vendor-b' : spec.degrading;
  const malformedBy =
    spec.malformed === undefined ? (degrading ? 'vendor-c' : null) : spec.malformed;
  const sampled = spec.vendorSide ?? true;
  const totalSeconds = concurrencies.length * perStep;
  const weightsAt = (t: number): number[] =>
    RUN_VENDORS.map((v) => {
      if (v !== degrading) return v === 'vendor-a' ? 1.2 : 1;
      // From its fair part at the start down to a twentieth by the end.
      return Math.max(0.05, 1 - (0.95 * t) / Math.max(1, totalSeconds - 1));
    });
  let t = 0;
  const steps: RunStep[] = concurrencies.map((concurrency, stepIndex) => {
    const seconds: RunSecond[] = [];
    const vendorTotals = RUN_VENDORS.map(() => 0);
    let errors = 0;
    let timeouts = 0;
    let retries = 0;
    const sides: Record<string, VendorSecond>[] = [];
    for (let s = 0; s < perStep; s++, t++) {
      const requests = concurrency * 4 + ((t * 7) % 5);
      const weights = weightsAt(t);
      const weightSum = weights.reduce((a, b) => a + b, 0);
      const byVendor = split(requests, weights);
      byVendor.forEach((n, i) => (vendorTotals[i] = (vendorTotals[i] as number) + n));
      const secondErrors = degrading ? Math.floor((stepIndex * (s + 1)) / 2) : 0;
      const secondTimeouts = degrading ? Math.floor(stepIndex / 2) : 0;
      const secondRetries = degrading ? stepIndex * 2 + (s % 3) : 0;
      errors += secondErrors;
      timeouts += secondTimeouts;
      retries += secondRetries;
      // How far through the run this second is: B's trouble grows with it.
      const late = t / Math.max(1, totalSeconds - 1);
      const side = Object.fromEntries(
        RUN_VENDORS.map((v, i): [string, VendorSecond] => {
          const n = byVendor[i] as number;
          const bad = v === degrading;
          const ttfb =
            (bad ? 140 * (1 + 4 * late) : 110 + i * 25) * (1 + concurrency / 200) * factor;
          // The gateway keeps its requests spread by share, but B holds each one longer and longer,
          // and the ones its clients gave up on stay stuck in its queue: B's queue keeps rising while
          // its traffic falls.
          const part = (concurrency * (weights[i] as number)) / weightSum;
          const stuck = bad ? Math.round(concurrency * 0.25 * late ** 1.5) : 0;
          const flowing = Math.max(n > 0 ? 1 : 0, Math.round(part * (bad ? 1 + 3 * late : 1)));
          const inFlight = flowing + stuck;
          const waiting = stuck + Math.round(flowing * (bad ? 0.3 : 0.08));
          const giveUps = bad ? Math.floor((stepIndex * (s + 2)) / 3) : 0;
          const vendorErrors = bad ? Math.floor((stepIndex * s) / 3) : 0;
          const malformed = v === malformedBy && (t * 5 + i) % 3 === 0 ? 1 + (stepIndex % 2) : 0;
          const faults: Record<string, number> = {};
          if (bad && stepIndex > 0) faults['latency'] = stepIndex * 3;
          if (malformed > 0) faults['malformed'] = malformed;
          return [
            v,
            {
              requests: n,
              inFlight,
              waiting,
              ttfbP50Ms: round(ttfb * 0.6, 1),
              ttfbP95Ms: round(ttfb, 1),
              p95Ms: round(ttfb * 2.4, 1),
              retries: bad ? secondRetries : 0,
              giveUps,
              errors: vendorErrors,
              faults,
              malformed,
            },
          ];
        }),
      );
      sides.push(side);
      const open = Object.values(side).reduce((a, x) => a + x.inFlight, 0);
      seconds.push({
        t,
        requests,
        errors: secondErrors,
        timeouts: secondTimeouts,
        retries: secondRetries,
        p95Ms: round((180 + concurrency * 6 + s * 3) * factor, 1),
        vendors: Object.fromEntries(RUN_VENDORS.map((v, i) => [v, byVendor[i] as number])),
        // The mock's sockets: every open request, and the idle keep-alive ones beside them.
        ...(sampled ? { connections: open + Math.ceil(concurrency / 10), vendorSide: side } : {}),
      });
    }
    const requests = seconds.reduce((a, x) => a + x.requests, 0);
    const vendorRequests = vendorTotals.reduce((a, b) => a + b, 0);
    const vendors: Record<string, RunVendor> = Object.fromEntries(
      RUN_VENDORS.map((v, i) => {
        const n = vendorTotals[i] as number;
        const slow = v === degrading ? 1 + stepIndex * 0.8 : 1;
        const mine = sides.map((x) => x[v] as VendorSecond);
        const peak = (pick: (x: VendorSecond) => number) => Math.max(...mine.map(pick));
        const sum = (pick: (x: VendorSecond) => number) => mine.reduce((a, x) => a + pick(x), 0);
        const vendorSide = {
          ttfbP95Ms: peak((x) => x.ttfbP95Ms ?? 0),
          peakInFlight: peak((x) => x.inFlight),
          peakWaiting: peak((x) => x.waiting),
          giveUps: sum((x) => x.giveUps),
          errors: sum((x) => x.errors),
          malformed: sum((x) => x.malformed),
        };
        const malformed = vendorSide.malformed;
        return [
          v,
          {
            share: round(n / vendorRequests),
            requests: n,
            matched: n,
            unmatched: 0,
            retries: v === degrading ? retries : 0,
            faults: {
              ...(v === degrading && stepIndex > 0
                ? { latency: stepIndex * 3, timeout: timeouts }
                : {}),
              ...(malformed > 0 ? { malformed } : {}),
            } as Record<string, number>,
            costAvoidedUsd: round(n * 0.0004 * (i + 1), 6),
            p95Ms: round((150 + concurrency * 4 * (i + 1)) * slow * factor, 1),
            ...(sampled ? vendorSide : {}),
          },
        ];
      }),
    );
    const p95 = round((200 + concurrency * 9) * factor, 1);
    return {
      concurrency,
      requests,
      errors,
      errorsByStatus: (errors > 0 ? { '502': errors } : {}) as Record<string, number>,
      timeouts,
      retries,
      retriesPerRequest: round(retries / requests),
      durationMs: perStep * 1000,
      rps: round(requests / perStep, 2),
      latencyMs: {
        avg: round(p95 * 0.55, 1),
        p50: round(p95 * 0.5, 1),
        p95,
        p99: round(p95 * 1.4, 1),
      },
      vendors,
      seconds,
    };
  });
  const started = Date.parse(spec.startedAt);
  return RunReport.parse({
    format: RUN_FORMAT,
    id: spec.id,
    startedAt: spec.startedAt,
    finishedAt: new Date(started + totalSeconds * 1000).toISOString(),
    target: 'http://127.0.0.1:8000',
    source: './snap',
    mock: {
      url: 'http://127.0.0.1:4141',
      dir: './snap',
      scenario: spec.scenario === undefined ? 'three-vendors' : spec.scenario,
    },
    faults: [...(degrading ? ['latency', 'timeout'] : []), ...(malformedBy ? ['malformed'] : [])],
    options: {
      steps: concurrencies,
      durationMs: perStep * 1000,
      count: null,
      timeoutMs: 10_000,
      rate: null,
    },
    steps,
    costAvoidedUsd: round(
      steps.reduce(
        (a, s) => a + Object.values(s.vendors).reduce((b, v) => b + v.costAvoidedUsd, 0),
        0,
      ),
      6,
    ),
  });
}

/** Writes each report as `<dir>/runs/<id>.json`, as `tapedeck load` does. */
export async function writeRunReports(dir: string, reports: readonly RunReport[]): Promise<void> {
  await mkdir(path.join(dir, 'runs'), { recursive: true });
  for (const r of reports)
    await writeFile(path.join(dir, 'runs', `${r.id}.json`), JSON.stringify(r, null, 2) + '\n');
}
