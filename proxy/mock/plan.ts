/** Stage 3: which faults this request meets (the engine decides; shared/faults). */
import type { FaultCounters, FaultEngine, Plan } from '../../shared/faults/engine.js';
import { adapterOf } from '../../shared/adapters/registry.js';
import type { Entry } from '../replay-index.js';
import type { Parsed } from './parse.js';

/**
 * Null without an engine (`faults: false`): then no request meets any fault. `counters`: a test's
 * own (its `sinceStartMs` then counts from that test's start); the engine's without them.
 */
export function planFaults(
  engine: FaultEngine | null,
  p: Parsed,
  entry: Entry | null,
  sinceStartMs: number,
  counters?: FaultCounters,
): Plan | null {
  if (!engine) return null;
  const { route } = p.at;
  return engine.plan(
    {
      upstream: route.name,
      provider: entry ? entry.call.provider : p.at.provider,
      model: entry ? entry.call.model : modelOf(p),
      path: route.path,
    },
    entry?.id ?? null,
    entry?.faults ?? null,
    sinceStartMs,
    counters,
  );
}

/** The model an unmatched request asks for, as its family names it (body field or path). */
function modelOf(p: Parsed): string | null {
  return adapterOf(p.at.family).requestModel(p.at.route.path, p.live().body);
}

/** Timing faults are the only ones a miss meets on its own; errors answer it too (see answer.ts). */
export function timingOnly(plan: Plan | null): Plan['fired'] {
  return plan?.fired.filter((f) => f.kind === 'latency' || f.kind === 'hang') ?? [];
}
