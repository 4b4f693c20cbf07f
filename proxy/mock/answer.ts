/**
 * Stage 4: the reply. The recording (as timed), the recording or an error as the faults shape it,
 * the provider-shaped 404 of a miss, or the real upstream's reply under --passthrough.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Agent } from 'undici';
import type { FiredFault, Plan } from '../../shared/faults/engine.js';
import { providerError } from '../../shared/providers/errors.js';
import { upstreamUrl } from '../../shared/upstreams.js';
import { errorPrepared, malformedPrepared } from '../fault-reply.js';
import { forward } from '../forward.js';
import { sendJson } from '../http-util.js';
import type { ReplySink } from '../reply-sink.js';
import { preparedOf, type Entry } from '../replay-index.js';
import { replay, scheduleOf, send, type Prepared, type Schedule, type Timing } from '../replay.js';
import type { Refusal } from './events.js';
import { explain, type MatchMiss } from './match.js';
import type { Addressed, Parsed } from './parse.js';
import { timingOnly } from './plan.js';

export interface AnswerContext {
  timing: Timing;
  upstreams: Readonly<Record<string, string>>;
  passthroughAgent: Agent | null;
  log: (line: string) => void;
}

/** What was sent: the status (0 when the client left first), the faults applied, and passthrough. */
export interface Answer {
  status: number;
  fired: readonly FiredFault[];
  /** 'answered' or 'failed' when --passthrough forwarded the miss; null otherwise. */
  passthrough: 'answered' | 'failed' | null;
}

const NONE: readonly FiredFault[] = Object.freeze([]);

export async function answer(
  ctx: AnswerContext,
  /** The node request; null in process (`tapedeck/testing`), where nothing is forwarded. */
  req: IncomingMessage | null,
  res: ReplySink,
  p: Parsed,
  entry: Entry | null,
  miss: MatchMiss | null,
  plan: Plan | null,
  /** Told the faults as they fire, so a hanging request shows in the stats while it hangs. */
  flight: { fired: readonly FiredFault[] },
): Promise<Answer> {
  let out: Answer;
  // Unmatched requests still meet vendor-wide errors (a 429 does not care what you asked).
  if (plan && plan.fired.length > 0 && (entry || plan.error)) {
    out = await sendWithFaults(ctx, res, p, entry, plan, flight);
  } else if (entry) {
    await replay(preparedOf(entry), res, ctx.timing, p.start, { 'x-tapedeck-call': entry.id });
    out = { status: entry.call.response.status, fired: NONE, passthrough: null };
  } else {
    // A miss meets only the timing faults; it is still answered as a miss.
    const timing = timingOnly(plan);
    if (timing.length) flight.fired = timing;
    const wait = timing.length && plan ? missDelay(p.at, plan) : 0;
    if (wait > 0) await delay(wait === Infinity ? null : wait, res);
    if (res.destroyed) out = { status: 0, fired: timing, passthrough: null };
    else out = { ...(await sendMiss(ctx, req, res, p, miss, timing)), fired: timing };
  }
  // The client left before any header went out: nothing was answered, whatever was planned.
  if (!res.headersSent) out.status = 0;
  return out;
}

/** How long timing faults hold back the answer to a miss. */
function missDelay(at: Addressed, plan: Plan): number {
  const p = errorPrepared(at.family, 'http', { kind: 'not_found', message: '' });
  return scheduleOf(p, { mode: 'instant' }, plan).headersAt;
}

/** A reply shaped by fired faults: an error in the provider's shape, or the recording altered. */
async function sendWithFaults(
  ctx: AnswerContext,
  res: ReplySink,
  p: Parsed,
  entry: Entry | null,
  plan: Plan,
  flight: { fired: readonly FiredFault[] },
): Promise<Answer> {
  let applied = plan.fired;
  const headers: Record<string, string> = {};
  if (entry) headers['x-tapedeck-call'] = entry.id;
  let prepared: Prepared;
  let schedule: Schedule;
  if (plan.error || !entry) {
    const provider = entry ? entry.call.provider : p.at.provider;
    const error = plan.error ?? { kind: 'server_error' as const, message: '' };
    prepared = errorPrepared(p.at.family, provider, error);
    schedule = scheduleOf(prepared, { mode: 'instant' }, plan);
  } else {
    prepared = preparedOf(entry);
    if (plan.malformed) {
      const broken = malformedPrepared(entry.call, prepared, plan.malformed);
      if (broken) prepared = broken;
      else {
        applied = applied.filter((f) => f.kind !== 'malformed');
        ctx.log(
          `tapedeck: malformed ${plan.malformed.mode} does not apply to ${entry.file} (nothing to break that way)`,
        );
      }
    }
    schedule = scheduleOf(prepared, ctx.timing, plan);
  }
  flight.fired = applied;
  if (applied.length) headers['x-tapedeck-fault'] = applied.map((f) => f.kind).join(',');
  await send(prepared, res, schedule, p.start, headers);
  return { status: prepared.status, fired: applied, passthrough: null };
}

function delay(ms: number | null, res: ReplySink): Promise<void> {
  return new Promise((resolve) => {
    const timer = ms === null ? null : setTimeout(done, ms);
    function done() {
      if (timer) clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
    res.once('close', done);
  });
}

/** The 404 in the provider's shape, or the passthrough reply. */
async function sendMiss(
  ctx: AnswerContext,
  req: IncomingMessage | null,
  res: ReplySink,
  p: Parsed,
  miss: MatchMiss | null,
  faults: readonly FiredFault[],
): Promise<Omit<Answer, 'fired'>> {
  const { route } = p.at;
  const base = ctx.upstreams[route.name];
  // Only a socket's request can be forwarded; in process there is no passthrough agent.
  if (ctx.passthroughAgent && base && req && res instanceof ServerResponse) {
    const capture = await forward({
      req,
      res,
      url: upstreamUrl(base, route),
      body: p.raw,
      dispatcher: ctx.passthroughAgent,
    });
    if (capture.status === null) {
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 502, {
          error: {
            message: `Tapedeck: passthrough to ${route.name} failed: ${capture.error ?? ''}`,
            type: 'tapedeck',
          },
        });
      return { status: 502, passthrough: 'failed' };
    }
    return { status: capture.status, passthrough: 'answered' };
  }
  const err = providerError(p.at.family, p.at.provider, 'not_found', explain(p, miss));
  const headers: Record<string, string> = { ...err.headers };
  if (miss?.closest) headers['x-tapedeck-closest'] = miss.closest.id;
  if (faults.length) headers['x-tapedeck-fault'] = faults.map((f) => f.kind).join(',');
  sendJson(res, err.status, err.body, headers);
  return { status: err.status, passthrough: null };
}

/**
 * The error of a request that cannot be matched at all, in the provider's shape; returns the
 * status. A timed-out request was already answered (408) and closed by the server.
 */
export function refuse(res: ReplySink, at: Addressed, refusal: Refusal, reason: string): number {
  if (refusal === 'timeout') return 408;
  const err = providerError(
    at.family,
    at.provider,
    refusal === 'too_large' ? 'too_large' : 'invalid_request',
    `Tapedeck: request refused: ${reason}.`,
  );
  // An over-limit body was not read to its end: the connection cannot carry another request.
  const headers = refusal === 'too_large' ? { ...err.headers, connection: 'close' } : err.headers;
  sendJson(res, err.status, err.body, headers);
  return err.status;
}
