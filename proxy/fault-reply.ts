/** Turns a fault plan into the reply the mock sends: an error, or the recorded reply altered. */
import type { ErrorPlan, Plan } from '../shared/faults/engine.js';
import { malformReply, type MalformMode } from '../shared/faults/malform.js';
import type { ApiFamily } from '../shared/adapters/adapter.js';
import { providerError } from '../shared/providers/errors.js';
import type { Call } from '../shared/schema.js';
import { breakToolCalls } from '../shared/tool-calls/break.js';
import { prepare, preparedEvents, type Prepared } from './replay.js';

export function errorPrepared(family: ApiFamily, provider: string, e: ErrorPlan): Prepared {
  const opts: { status?: number; retryAfterS?: number } = {};
  if (e.status !== undefined) opts.status = e.status;
  if (e.retryAfterS !== undefined) opts.retryAfterS = e.retryAfterS;
  const err = providerError(family, provider, e.kind, e.message, opts);
  const body = Buffer.from(JSON.stringify(err.body));
  return {
    status: err.status,
    headers: { ...err.headers, 'content-length': String(body.length) },
    body,
    events: null,
    ttfbMs: 0,
    totalMs: 0,
    cut: false,
  };
}

const TOOL_MODES = new Set(['toolName', 'toolArgs', 'textThenHalfTool']);

/** The recorded reply broken as the plan says; null when the reply has nothing to break that way. */
export function malformedPrepared(
  call: Call,
  base: Prepared,
  m: NonNullable<Plan['malformed']>,
): Prepared | null {
  if (TOOL_MODES.has(m.mode)) {
    const broken = breakToolCalls(call, m.mode as 'toolName' | 'toolArgs' | 'textThenHalfTool');
    return broken ? prepare(broken) : null;
  }
  const out = malformReply(call, m.mode as MalformMode, m.path);
  if (!out) return null;
  if ('events' in out) {
    // In the recorded framing: a client sees the broken event, not a change of line endings.
    const events = preparedEvents(
      out.events,
      base.headers['content-type'],
      call.response.streamFormat,
    );
    return { ...base, events };
  }
  const body = Buffer.from(out.bodyText, 'utf8');
  return { ...base, body, headers: { ...base.headers, 'content-length': String(body.length) } };
}
