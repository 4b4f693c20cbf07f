/** Turns a recorded call into bytes on the wire again, with its recorded timing or none. */
import { performance } from 'node:perf_hooks';
import type { Plan } from '../shared/faults/engine.js';
import { REDACTED } from '../shared/redact.js';
import type { Call, RecordedResponse, StreamEvent, StreamFormat } from '../shared/schema.js';
import { renderEvent, streamTexts } from '../shared/wire/sse-format.js';
import { bodyBytes } from './body.js';
import { isHopByHop } from './http-util.js';
import type { ReplySink } from './reply-sink.js';
import { awsFrameBytes, isAwsEventStream } from './stream-framing.js';

export type Timing = { mode: 'recorded' } | { mode: 'instant' } | { mode: 'scale'; factor: number };

export function parseTiming(text: string): Timing {
  if (text === 'recorded') return { mode: 'recorded' };
  if (text === 'instant') return { mode: 'instant' };
  const m = /^scale=(\d+(?:\.\d+)?)$/.exec(text);
  if (m) return { mode: 'scale', factor: Number(m[1]) };
  throw new Error(
    `--timing wants recorded, instant or scale=FACTOR (e.g. scale=0.25), got "${text}"`,
  );
}

export function timingFactor(t: Timing): number {
  return t.mode === 'instant' ? 0 : t.mode === 'scale' ? t.factor : 1;
}

export interface PreparedEvent {
  at: number;
  bytes: Buffer;
}

export interface Prepared {
  status: number;
  headers: Record<string, string>;
  body: Buffer | null;
  events: PreparedEvent[] | null;
  ttfbMs: number;
  totalMs: number;
  /** The recording ended in an upstream failure: replay ends by cutting the connection too. */
  cut: boolean;
}

/** One event written from its fields (its `raw` aside), in the default framing. */
export function sseEventBytes(e: StreamEvent): Buffer {
  return Buffer.from(renderEvent(e, undefined), 'utf8');
}

/** A recorded stream's events on the wire: the recorded bytes where the events are unchanged. */
export function streamEvents(
  stream: readonly StreamEvent[],
  format?: StreamFormat,
): PreparedEvent[] {
  const texts = streamTexts(stream, format);
  // Bytes after the last event of a stream that has none go out with the headers.
  return texts.map((t, i) => ({ at: stream[i]?.at ?? 0, bytes: Buffer.from(t, 'utf8') }));
}

/**
 * Stored events as wire bytes: AWS event-stream frames when the reply was one, else SSE in the
 * recorded framing (`format`), the recorded bytes where the events are unchanged.
 */
export function preparedEvents(
  stream: readonly StreamEvent[],
  contentType: string | undefined,
  format?: StreamFormat,
): PreparedEvent[] {
  if (isAwsEventStream(contentType))
    return stream.map((e) => ({ at: e.at, bytes: awsFrameBytes(e) }));
  return streamEvents(stream, format);
}

export function prepare(call: Call): Prepared {
  return prepareResponse(
    call.response,
    call.timing,
    call.outcome === 'upstream_error' && !!call.response.stream,
  );
}

/**
 * A response as wire bytes, whether recorded or made up (a scripted reply of `tapedeck/testing`).
 * `cut`: the reply ends by cutting the connection, as a stream that failed upstream did.
 */
export function prepareResponse(
  r: RecordedResponse,
  timing: { ttfbMs: number; totalMs: number },
  cut: boolean,
): Prepared {
  const stillEncoded = r.bodyBase64 !== undefined && r.headers['content-encoding'] !== undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers)) {
    const lower = name.toLowerCase();
    // A recorded date would be stale; Node sends the current one.
    if (isHopByHop(lower) || lower === 'content-length' || lower === 'date' || value === REDACTED)
      continue;
    // A stored body is decoded unless it is still-encoded base64: never a stale content-encoding.
    if (lower === 'content-encoding' && !stillEncoded) continue;
    headers[lower] = value;
  }
  // Worked out once per call (the mock prepares on first use), never per request.
  const events = r.stream
    ? preparedEvents(r.stream, headers['content-type'], r.streamFormat)
    : null;
  const body = events ? null : bodyBytes(r);
  if (body) headers['content-length'] = String(body.length);
  if (events && !headers['content-type']) headers['content-type'] = 'text/event-stream';
  if (r.body !== undefined && !headers['content-type'])
    headers['content-type'] = 'application/json';
  return {
    status: r.status,
    headers,
    body,
    events,
    ttfbMs: timing.ttfbMs,
    totalMs: timing.totalMs,
    cut: cut && !!events,
  };
}

/** When each part of a reply goes out, in ms after the request was read; Infinity = never. */
export interface Schedule {
  headersAt: number;
  /** One time per stream event; empty for a plain body. */
  eventsAt: number[];
  bodyAt: number;
  /** Stop after this many events (or half a plain body) and destroy the socket. */
  cutAfter: number | null;
  /** Events from this index on (or the second half of a plain body) wait `stallMs` more. */
  stallAfter: number | null;
  stallMs: number;
}

/** The fault plan's say on timing (see shared/faults/engine.ts). */
export type TimingFaults = Pick<
  Plan,
  'hangBeforeHeaders' | 'ttfbMs' | 'eventGapMs' | 'scale' | 'stall' | 'cut'
>;

export function scheduleOf(p: Prepared, timing: Timing, faults?: TimingFaults): Schedule {
  const f = timingFactor(timing) * (faults?.scale ?? 1);
  const hang = faults?.hangBeforeHeaders ? (faults.hangBeforeHeaders.ms ?? Infinity) : 0;
  const ttfb = (faults?.ttfbMs ?? p.ttfbMs * f) + hang;
  const eventsAt: number[] = [];
  if (p.events) {
    const gap = faults?.eventGapMs;
    let t = ttfb;
    p.events.forEach((e, i) => {
      if (gap) eventsAt.push(i === 0 ? t : (t += gap(i)));
      else eventsAt.push(ttfb + Math.max(0, e.at - p.ttfbMs) * f);
    });
  }
  const stall = faults?.stall ?? null;
  return {
    headersAt: ttfb,
    eventsAt,
    bodyAt: ttfb + Math.max(0, p.totalMs - p.ttfbMs) * f,
    cutAfter: faults?.cut?.afterEvents ?? null,
    stallAfter: stall ? stall.afterEvents : null,
    stallMs: stall ? (stall.ms ?? Infinity) : 0,
  };
}

function isImmediate(s: Schedule): boolean {
  return (
    s.headersAt === 0 &&
    s.bodyAt === 0 &&
    s.cutAfter === null &&
    s.stallAfter === null &&
    s.eventsAt.every((t) => t === 0)
  );
}

/**
 * Writes a prepared reply on a schedule measured from `t0` (when the request was read), as the
 * recording's times were measured from the moment the request went upstream, so timer drift does
 * not accumulate. Resolves when the reply is done or the client has gone.
 */
export function send(
  p: Prepared,
  res: ReplySink,
  s: Schedule,
  t0: number,
  extraHeaders: Record<string, string>,
  /** `extraHeaders` already holds the reply's own headers. */
  merged = false,
): Promise<void> {
  const headers = merged ? extraHeaders : { ...p.headers, ...extraHeaders };
  if (isImmediate(s)) {
    res.writeHead(p.status, headers);
    if (p.events) {
      res.write(Buffer.concat(p.events.map((e) => e.bytes)));
      if (p.cut) return cut(res);
      res.end();
    } else res.end(p.body);
    return Promise.resolve();
  }

  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    const onClose = () => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    res.once('close', onClose);
    const at = (ms: number, fn: () => void) => {
      // Infinity: hang until the client gives up (the close handler resolves).
      if (ms === Infinity) return;
      timer = setTimeout(fn, Math.max(0, t0 + ms - performance.now()));
    };
    const done = (cutIt: boolean) => {
      res.off('close', onClose);
      if (cutIt) void cut(res).then(resolve);
      else {
        res.end();
        resolve();
      }
    };
    // A stall is a pause of stallMs from the moment it starts, however late the events before it went.
    let stallShift: number | null = null;
    const stalledAt = (i: number, t: number) => {
      if (s.stallAfter === null || i < s.stallAfter) return t;
      if (stallShift === null) {
        const now = performance.now() - t0;
        stallShift = Math.max(0, now - (s.eventsAt[s.stallAfter] ?? 0)) + s.stallMs;
      }
      return t + stallShift;
    };

    const sendBody = () => {
      const body = p.body ?? Buffer.alloc(0);
      if (s.cutAfter === null && s.stallAfter === null) {
        at(s.bodyAt, () => {
          res.off('close', onClose);
          res.end(body);
          resolve();
        });
        return;
      }
      const half = Math.floor(body.length / 2);
      at(s.bodyAt, () => {
        res.write(body.subarray(0, half));
        if (s.cutAfter !== null) return done(true);
        at(performance.now() - t0 + s.stallMs, () => {
          res.off('close', onClose);
          res.end(body.subarray(half));
          resolve();
        });
      });
    };

    let next = 0;
    const pump = () => {
      const events = p.events as PreparedEvent[];
      const now = performance.now() - t0;
      const due: Buffer[] = [];
      while (next < events.length && stalledAt(next, s.eventsAt[next] ?? 0) <= now + 0.5) {
        if (s.cutAfter !== null && next >= s.cutAfter) break;
        due.push((events[next] as PreparedEvent).bytes);
        next++;
      }
      // Everything already due goes out in one write: fewer packets, same order.
      if (due.length) res.write(due.length === 1 ? (due[0] as Buffer) : Buffer.concat(due));
      if (s.cutAfter !== null && next >= s.cutAfter) return done(true);
      if (next < events.length) at(stalledAt(next, s.eventsAt[next] ?? 0), pump);
      // A stream shorter than the fault's K still loses its clean end: the cut, or the stall,
      // comes where the end would have been.
      else if (s.cutAfter !== null) done(true);
      else if (s.stallAfter !== null && s.stallAfter >= events.length)
        at((s.eventsAt[next - 1] ?? s.headersAt) + s.stallMs, () => done(p.cut));
      else done(p.cut);
    };

    at(s.headersAt, () => {
      res.writeHead(p.status, headers);
      if (p.events) {
        res.flushHeaders();
        pump();
      } else {
        if (s.cutAfter !== null || s.stallAfter !== null) res.flushHeaders();
        sendBody();
      }
    });
  });
}

const plain = new WeakMap<Prepared, { schedule: Schedule; headers: Record<string, string> }>();

/**
 * A recorded reply with its recorded (or scaled, or no) timing. Schedule and headers are worked
 * out once per reply, off the hot path: `extraHeaders` must be the same every time for a given
 * reply (the mock passes the call's own id).
 */
export function replay(
  p: Prepared,
  res: ReplySink,
  timing: Timing,
  t0: number,
  extraHeaders: Record<string, string>,
): Promise<void> {
  let cached = plain.get(p);
  if (!cached) {
    cached = { schedule: scheduleOf(p, timing), headers: { ...p.headers, ...extraHeaders } };
    plain.set(p, cached);
  }
  return send(p, res, cached.schedule, t0, cached.headers, true);
}

function cut(res: ReplySink): Promise<void> {
  // Let the written bytes leave before the socket goes, as the upstream's did.
  return new Promise((resolve) => {
    res.socket?.end(() => {
      res.destroy();
      resolve();
    });
    if (!res.socket) resolve();
  });
}
