/** Hand-made run reports with known figures, for `tapedeck report` and the compare tests. */
import { RUN_FORMAT, type RunReport, type RunStep } from '../../shared/schema.js';

export function step(concurrency: number, o: Partial<RunStep> & { p95?: number } = {}): RunStep {
  const { p95 = 100, ...rest } = o;
  return {
    concurrency,
    requests: 100,
    errors: 0,
    errorsByStatus: {},
    timeouts: 0,
    retries: 0,
    retriesPerRequest: 0,
    durationMs: 1000,
    rps: 100,
    latencyMs: { avg: p95 / 2, p50: p95 / 2, p95, p99: p95 },
    vendors: {},
    seconds: [],
    ...rest,
  };
}

export function run(id: string, steps: RunStep[]): RunReport {
  return {
    format: RUN_FORMAT,
    id,
    startedAt: '2026-12-03T10:00:00.000Z',
    finishedAt: '2026-12-03T10:01:00.000Z',
    target: 'http://127.0.0.1:8000',
    source: '/tmp/snap',
    mock: null,
    faults: [],
    options: {
      steps: steps.map((s) => s.concurrency),
      durationMs: 1000,
      count: null,
      timeoutMs: 10_000,
      rate: null,
    },
    steps,
    costAvoidedUsd: 0,
  };
}
