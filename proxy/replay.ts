/** Turns a recorded call into bytes on the wire again, with its recorded timing or none. */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { REDACTED } from '../shared/redact.js';
import type { Call, StreamEvent } from '../shared/schema.js';
import { bodyBytes } from './body.js';
import { isHopByHop } from './http-util.js';

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

export function sseEventBytes(e: StreamEvent): Buffer {
  let s = '';
  if (e.comment !== undefined) for (const line of e.comment.split('\n')) s += `: ${line}\n`;
  if (e.event !== undefined) s += `event: ${e.event}\n`;
  if (e.id !== undefined) s += `id: ${e.id}\n`;
  if (e.retry !== undefined) s += `retry: ${e.retry}\n`;
  if (e.data !== undefined) for (const line of e.data.split('\n')) s += `data: ${line}\n`;
  return Buffer.from(s + '\n', 'utf8');
}

export function prepare(call: Call): Prepared {
  const r = call.response;
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
  const events = r.stream ? r.stream.map((e) => ({ at: e.at, bytes: sseEventBytes(e) })) : null;
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
    ttfbMs: call.timing.ttfbMs,
    totalMs: call.timing.totalMs,
    cut: call.outcome === 'upstream_error' && !!events,
  };
}

/**
 * Writes a prepared reply. Times are measured from `t0` (when the request was read), as they
 * were recorded from the moment the request went upstream, so drift does not accumulate.
 */
export function replay(
  p: Prepared,
  res: ServerResponse,
  timing: Timing,
  t0: number,
  extraHeaders: Record<string, string>,
): Promise<void> {
  const factor = timingFactor(timing);
  const headers = { ...p.headers, ...extraHeaders };
  if (factor === 0) {
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
    let next = 0;
    const onClose = () => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    res.once('close', onClose);
    const at = (ms: number, fn: () => void) => {
      const wait = t0 + ms * factor - performance.now();
      timer = setTimeout(fn, Math.max(0, wait));
    };
    const finish = () => {
      res.off('close', onClose);
      if (p.cut) void cut(res).then(resolve);
      else {
        res.end();
        resolve();
      }
    };
    const pump = () => {
      const events = p.events as PreparedEvent[];
      const now = (performance.now() - t0) / factor;
      // Everything already due goes out in one write: fewer packets, same order.
      const due: Buffer[] = [];
      while (next < events.length && (events[next] as PreparedEvent).at <= now + 0.5) {
        due.push((events[next] as PreparedEvent).bytes);
        next++;
      }
      if (due.length) res.write(due.length === 1 ? due[0] : Buffer.concat(due));
      if (next < events.length) at((events[next] as PreparedEvent).at, pump);
      else finish();
    };
    at(p.ttfbMs, () => {
      res.writeHead(p.status, headers);
      if (p.events) {
        res.flushHeaders();
        pump();
      } else {
        at(Math.max(p.ttfbMs, p.totalMs), () => {
          res.off('close', onClose);
          res.end(p.body);
          resolve();
        });
      }
    });
  });
}

function cut(res: ServerResponse): Promise<void> {
  // Let the written bytes leave before the socket goes, as the upstream's did.
  return new Promise((resolve) => {
    res.socket?.end(() => {
      res.destroy();
      resolve();
    });
    if (!res.socket) resolve();
  });
}
