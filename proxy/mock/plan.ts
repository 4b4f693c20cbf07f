/** Stage 3: which faults this request meets (the engine decides; shared/faults). */
import type { FaultEngine, Plan } from '../../shared/faults/engine.js';
import { modelFromPath } from '../../shared/providers/detect.js';
import type { Entry } from '../replay-index.js';
import type { Parsed } from './parse.js';

/** Null without an engine (`faults: false`): then no request meets any fault. */
export function planFaults(
  engine: FaultEngine | null,
  p: Parsed,
  entry: Entry | null,
  sinceStartMs: number,
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
  );
}

/** The model an unmatched request asks for: its body's `model`, or Gemini's path segment. */
function modelOf(p: Parsed): string | null {
  const body = p.live().body as { model?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.model === 'string') return body.model;
  return modelFromPath(p.at.route.path);
}

/** Timing faults are the only ones a miss meets on its own; errors answer it too (see answer.ts). */
export function timingOnly(plan: Plan | null): Plan['fired'] {
  return plan?.fired.filter((f) => f.kind === 'latency' || f.kind === 'hang') ?? [];
}
