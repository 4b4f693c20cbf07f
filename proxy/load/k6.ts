/**
 * `tapedeck load … --export k6 FILE`: the same run as a k6 script, for k6's distributed engine.
 * One scenario per step, started one after the other (`startTime`), the requests inlined and sent
 * in turn as `tapedeck load` does. --duration maps to `constant-vus`, --count to
 * `shared-iterations`, and --rate to `constant-arrival-rate`.
 */
import { formatDuration } from '../../shared/load/duration.js';
import type { FailIfCondition, FailIfOp } from '../../shared/load/fail-if.js';
import type { LoadRequest } from './requests.js';

export interface K6Plan {
  target: string;
  requests: readonly LoadRequest[];
  steps: readonly number[];
  durationMs: number | null;
  count: number | null;
  timeoutMs: number;
  rate: number | null;
  /** --fail-if, as k6 thresholds per step where k6 has the metric. */
  failIf?: readonly FailIfCondition[];
}

type Scenario = Record<string, string | number>;

/**
 * How long a --count step may take in k6 at worst: each VU's share of the iterations, each at
 * most the timeout. k6 needs it to start the next step; without a timeout, k6's default 10m.
 */
function countBoundMs(count: number, vus: number, timeoutMs: number): number {
  if (timeoutMs === 0) return 600_000;
  return Math.ceil(count / vus) * timeoutMs + 1000;
}

function scenarios(plan: K6Plan): Record<string, Scenario> {
  const out: Record<string, Scenario> = {};
  let startMs = 0;
  for (const vus of plan.steps) {
    let name = `step_${vus}`;
    for (let k = 2; name in out; k++) name = `step_${vus}_${k}`;
    let s: Scenario;
    let lengthMs: number;
    if (plan.rate !== null) {
      lengthMs =
        plan.durationMs ?? Math.max(1000, Math.ceil(((plan.count ?? 0) / plan.rate) * 1000));
      s = {
        executor: 'constant-arrival-rate',
        rate: plan.rate,
        timeUnit: '1s',
        duration: formatDuration(lengthMs),
        preAllocatedVUs: vus,
        maxVUs: vus,
      };
    } else if (plan.count !== null) {
      lengthMs = countBoundMs(plan.count, vus, plan.timeoutMs);
      s = {
        executor: 'shared-iterations',
        vus,
        iterations: plan.count,
        maxDuration: formatDuration(lengthMs),
      };
    } else {
      lengthMs = plan.durationMs ?? 0;
      s = { executor: 'constant-vus', vus, duration: formatDuration(lengthMs) };
    }
    // A constant-arrival-rate step waits for its last iterations up to gracefulStop (30s default).
    out[name] = { ...s, startTime: formatDuration(startMs), gracefulStop: '0s' };
    startMs += lengthMs;
  }
  return out;
}

/** A k6 threshold says what must hold; a --fail-if condition what must not. */
const PASSES: Record<FailIfOp, string> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>' };

/** k6's metric and expression for a condition; null for what k6 does not measure. */
function k6Threshold(c: FailIfCondition): [string, string] | null {
  const op = PASSES[c.op];
  switch (c.metric) {
    case 'p50':
    case 'p95':
    case 'p99':
      return ['http_req_duration', `p(${c.metric.slice(1)})${op}${c.value}`];
    case 'avg':
      return ['http_req_duration', `avg${op}${c.value}`];
    // k6 counts statuses from 400 and failed connections in http_req_failed, as the report does.
    case 'errors':
      return c.percent ? ['http_req_failed', `rate${op}${c.value / 100}`] : null;
    case 'rps':
      return ['http_reqs', `rate${op}${c.value}`];
    case 'timeouts':
    case 'retries/request':
      return null;
  }
}

function thresholds(
  names: readonly string[],
  failIf: readonly FailIfCondition[],
): { thresholds: Record<string, string[]>; left: string[] } {
  const out: Record<string, string[]> = {};
  const left: string[] = [];
  for (const c of failIf) {
    const t = k6Threshold(c);
    if (t === null) {
      left.push(c.text);
      continue;
    }
    // Per step, as --fail-if checks every step on its own.
    for (const name of names) (out[`${t[0]}{scenario:${name}}`] ??= []).push(t[1]);
  }
  return { thresholds: out, left };
}

function inlined(r: LoadRequest): Record<string, unknown> {
  const out: Record<string, unknown> = { method: r.method, path: r.path, headers: r.headers };
  if (r.body === null) return out;
  const text = r.body.toString('utf8');
  // Text that survives the round trip is inlined as it is; anything else as base64.
  if (Buffer.from(text, 'utf8').equals(r.body)) out.body = text;
  else out.bodyBase64 = r.body.toString('base64');
  return out;
}

export function k6Script(plan: K6Plan): string {
  const sc = scenarios(plan);
  const t = thresholds(Object.keys(sc), plan.failIf ?? []);
  const options =
    Object.keys(t.thresholds).length > 0
      ? { scenarios: sc, thresholds: t.thresholds }
      : { scenarios: sc };
  const unmapped =
    t.left.length > 0
      ? `// --fail-if conditions k6 cannot check (it does not see the mock): ${t.left.join(', ')}\n`
      : '';
  const timeout = plan.timeoutMs === 0 ? '24h' : formatDuration(plan.timeoutMs);
  return `// Written by \`tapedeck load --export k6\`: ${plan.steps.length} step(s) against ${plan.target}.
// Run it with: k6 run THIS_FILE   (set TARGET to aim it elsewhere: k6 run -e TARGET=http://… THIS_FILE)
${unmapped}import http from 'k6/http';
import exec from 'k6/execution';
import encoding from 'k6/encoding';

const TARGET = (__ENV.TARGET || ${JSON.stringify(plan.target.replace(/\/+$/, ''))}).replace(/\\/+$/, '');
const TIMEOUT = ${JSON.stringify(timeout)};

export const options = ${JSON.stringify(options, null, 2)};

const REQUESTS = ${JSON.stringify(plan.requests.map(inlined), null, 2)};

export default function () {
  const r = REQUESTS[exec.scenario.iterationInTest % REQUESTS.length];
  const body = r.bodyBase64 !== undefined ? encoding.b64decode(r.bodyBase64, 'std') : r.body;
  http.request(r.method, TARGET + r.path, body === undefined ? null : body, {
    headers: r.headers,
    timeout: TIMEOUT,
  });
}
`;
}
