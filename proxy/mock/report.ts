/** The stderr line and the `--log-json` record of every request: two subscribers of the bus. */
import type { WriteStream } from 'node:fs';
import type { FiredFault } from '../../shared/faults/engine.js';
import type { MockEvent, MockEventListener, Refusal } from './events.js';

export interface RequestRecord {
  time: string;
  request: number;
  upstream: string;
  method: string;
  path: string;
  status: number;
  matched: boolean;
  call: string | null;
  file: string | null;
  faults: string[];
  /** Each fault with where it was declared (`call:ID`, `manifest`, `scenario:NAME`) and its name. */
  faultDetails: readonly FiredFault[];
  /** Forwarded by --passthrough (and answered by the upstream unless status is 502). */
  passthrough: boolean;
  refused: Refusal | null;
  /** ms, one decimal: from the complete body (from arrival for refusals) to the reply's end. */
  durationMs: number;
}

function faultLabel(f: FiredFault): string {
  return f.name ? `${f.kind}(${f.name})` : f.kind;
}

/** What the line says was answered: the call id, the miss and its closest call, or the refusal. */
function what(e: Exclude<MockEvent, { outcome: 'unrouted' }>): string {
  switch (e.outcome) {
    case 'hit':
      return e.hit.call;
    case 'passthrough': {
      const closest = e.miss.closest;
      return `PASSTHROUGH${e.answered ? '' : ' FAILED'}${closest ? ` (closest ${closest.call})` : ''}`;
    }
    case 'miss': {
      const closest = e.miss.closest;
      return closest
        ? `MISS closest ${closest.call}: ${e.miss.diff.slice(0, 3).join('; ')}`
        : 'MISS';
    }
    case 'recorded':
      return `RECORDED ${e.recorded.call}`;
    case 'refused':
      return `REFUSED: ${e.reason}`;
  }
}

const durationOf = (e: MockEvent): number => Math.round(e.timings.totalMs * 10) / 10;

/** `mock #N NAME METHOD PATH → STATUS WHAT [faults=…] Dms`; unrouted requests are not logged. */
export function logLine(e: MockEvent): string | null {
  if (e.outcome === 'unrouted') return null;
  const r = e.request;
  const faults = e.faults.length ? ` faults=${e.faults.map(faultLabel).join(',')}` : '';
  return `mock #${r.id} ${r.upstream} ${r.method} ${r.path} → ${e.status} ${what(e)}${faults} ${Math.round(durationOf(e))}ms`;
}

export function logSubscriber(log: (line: string) => void): MockEventListener {
  return (e) => {
    const line = logLine(e);
    if (line !== null) log(line);
  };
}

export function requestRecord(e: Exclude<MockEvent, { outcome: 'unrouted' }>): RequestRecord {
  const r = e.request;
  const hit = e.outcome === 'hit' ? e.hit : null;
  return {
    time: new Date(r.time).toISOString(),
    request: r.id,
    upstream: r.upstream,
    method: r.method,
    path: r.path,
    status: e.status,
    matched: hit !== null,
    call: hit?.call ?? null,
    file: hit?.file ?? null,
    faults: e.faults.map((f) => f.kind),
    faultDetails: e.faults,
    passthrough: e.outcome === 'passthrough',
    refused: e.outcome === 'refused' ? e.refused : null,
    durationMs: durationOf(e),
  };
}

/** One JSON line per request; unrouted requests are left out, as from the stderr log. */
export function jsonLogSubscriber(out: WriteStream): MockEventListener {
  return (e) => {
    if (e.outcome !== 'unrouted') out.write(JSON.stringify(requestRecord(e)) + '\n');
  };
}
