/**
 * `tapedeck load … --export k6 FILE`: the same run as a k6 script, for k6's distributed engine.
 * One scenario per step, started one after the other (`startTime`), the requests inlined and sent
 * in turn as `tapedeck load` does. --duration maps to `constant-vus`, --count to
 * `shared-iterations`, and --rate to `constant-arrival-rate`.
 */
import { formatDuration } from '../../shared/load/duration.js';
import type { LoadRequest } from './requests.js';

export interface K6Plan {
  target: string;
  requests: readonly LoadRequest[];
  steps: readonly number[];
  durationMs: number | null;
  count: number | null;
  timeoutMs: number;
  rate: number | null;
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
  const options = { scenarios: scenarios(plan) };
  const timeout = plan.timeoutMs === 0 ? '24h' : formatDuration(plan.timeoutMs);
  return `// Written by \`tapedeck load --export k6\`: ${plan.steps.length} step(s) against ${plan.target}.
// Run it with: k6 run THIS_FILE   (set TARGET to aim it elsewhere: k6 run -e TARGET=http://… THIS_FILE)
import http from 'k6/http';
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
