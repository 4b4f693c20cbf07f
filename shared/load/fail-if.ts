/**
 * `--fail-if "p95>3000,errors>1%,retries/request>0.5"`: conditions checked against every step of a
 * run. Latencies are in ms; errors and timeouts are a count, or a share of the step's requests
 * with `%`.
 */
import type { RunStep } from '../schema.js';

export const FAIL_IF_METRICS = [
  'p50',
  'p95',
  'p99',
  'avg',
  'errors',
  'timeouts',
  'retries/request',
  'rps',
] as const;
export type FailIfMetric = (typeof FAIL_IF_METRICS)[number];
export type FailIfOp = '>' | '>=' | '<' | '<=';

export interface FailIfCondition {
  metric: FailIfMetric;
  op: FailIfOp;
  value: number;
  /** `errors>1%`: compared with the share of the step's requests, in percent. */
  percent: boolean;
  /** As written, for the message. */
  text: string;
}

export class FailIfError extends Error {}

const PERCENT_OK = new Set<FailIfMetric>(['errors', 'timeouts']);
const CONDITION = /^\s*([a-z0-9/]+)\s*(>=|<=|>|<)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/i;

export function parseFailIf(text: string): FailIfCondition[] {
  const parts = text.split(',').filter((p) => p.trim() !== '');
  if (parts.length === 0) throw new FailIfError('--fail-if wants conditions such as "p95>3000"');
  return parts.map((part) => {
    const m = CONDITION.exec(part);
    if (!m)
      throw new FailIfError(
        `--fail-if: "${part.trim()}" is not METRIC OP VALUE (e.g. p95>3000, errors>1%)`,
      );
    const metric = (m[1] ?? '').toLowerCase() as FailIfMetric;
    if (!FAIL_IF_METRICS.includes(metric))
      throw new FailIfError(
        `--fail-if: unknown metric "${m[1]}" (known: ${FAIL_IF_METRICS.join(', ')})`,
      );
    const percent = m[4] === '%';
    if (percent && !PERCENT_OK.has(metric))
      throw new FailIfError(`--fail-if: "${part.trim()}": only errors and timeouts take a %`);
    return { metric, op: m[2] as FailIfOp, value: Number(m[3]), percent, text: part.trim() };
  });
}

/** The step's value for the condition (a percentage when it has `%`). */
export function measured(step: RunStep, c: FailIfCondition): number {
  switch (c.metric) {
    case 'p50':
    case 'p95':
    case 'p99':
    case 'avg':
      return step.latencyMs[c.metric];
    case 'errors':
    case 'timeouts': {
      const n = step[c.metric];
      if (!c.percent) return n;
      return step.requests === 0 ? 0 : (n / step.requests) * 100;
    }
    case 'retries/request':
      return step.retriesPerRequest;
    case 'rps':
      return step.rps;
  }
}

function holds(v: number, op: FailIfOp, limit: number): boolean {
  switch (op) {
    case '>':
      return v > limit;
    case '>=':
      return v >= limit;
    case '<':
      return v < limit;
    case '<=':
      return v <= limit;
  }
}

export interface FailIfHit {
  condition: FailIfCondition;
  concurrency: number;
  /** The step's 1-based position in the run. */
  step: number;
  value: number;
}

/** Every condition that holds on some step (a condition true on a step fails the run). */
export function checkFailIf(
  steps: readonly RunStep[],
  conditions: readonly FailIfCondition[],
): FailIfHit[] {
  const hits: FailIfHit[] = [];
  steps.forEach((step, i) => {
    for (const condition of conditions) {
      const value = measured(step, condition);
      if (holds(value, condition.op, condition.value))
        hits.push({ condition, concurrency: step.concurrency, step: i + 1, value });
    }
  });
  return hits;
}

export function formatFailIfHit(h: FailIfHit): string {
  const v = Math.round(h.value * 100) / 100;
  const unit = h.condition.percent
    ? '%'
    : ['p50', 'p95', 'p99', 'avg'].includes(h.condition.metric)
      ? ' ms'
      : '';
  return `--fail-if ${h.condition.text} failed on step ${h.step} (concurrency ${h.concurrency}): ${h.condition.metric} was ${v}${unit}`;
}
