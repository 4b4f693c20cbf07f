/**
 * The mock's side of the desktop link (shared/mock-link.ts holds the protocol): the authenticated
 * `/__tapedeck/live/*` endpoints, and the one subscriber of the bus that turns events into rows
 * for every connected client. Rows are batched by one timer per mock, however many clients.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  LIVE_PREFIX,
  TOKEN_HEADER,
  type LiveRow,
  type LiveState,
  type MissGroup,
  type RecordMissResult,
} from '../../shared/mock-link.js';
import { sendJson } from '../http-util.js';
import type { MockEvent, MockEvents } from './events.js';
import type { KeptRequest } from './kept-request.js';

/** Rows wait at most this long before going out together. */
export const ROW_BATCH_MS = 50;
export const PING_MS = 15_000;
/** A client with more than this unsent is too slow: its rows are dropped, and counted, until it drains. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Only a LiveHub used without `startMockServer` (which always gives one) has no recorder. */
export const NO_RECORDER = 'this mock has no recorder for the misses it keeps';

export interface LiveSource {
  state(): LiveState;
  misses(): MissGroup[];
  /** The request kept for a miss group; null when the group keeps none; undefined for an unknown key. */
  kept(key: string): KeptRequest | null | undefined;
}

/** ControlContext.recordKept: set when this mock can forward a kept miss. */
export type RecordKept = (kept: KeptRequest) => Promise<RecordMissResult>;

interface Client {
  res: ServerResponse;
  /** Rows left out while the client was too slow, told once it drains. */
  dropped: number;
  waiting: boolean;
}

/** A MockEvent as the live log shows it; null for what the log leaves out (unrouted requests). */
export function rowOf(e: MockEvent): LiveRow | null {
  if (e.outcome === 'unrouted') return null;
  const r = e.request;
  const ref = e.outcome === 'hit' ? e.hit : e.outcome === 'recorded' ? e.recorded : null;
  const missKey =
    e.outcome === 'miss' || e.outcome === 'passthrough' || e.outcome === 'recorded'
      ? (e.miss.key ?? null)
      : null;
  return {
    id: r.id,
    time: r.time,
    upstream: r.upstream,
    method: r.method,
    path: r.path,
    outcome: e.outcome,
    call: ref?.call ?? null,
    file: ref?.file ?? null,
    missKey,
    faults: e.faults.map((f) => f.kind),
    status: e.status,
    ttfbMs: e.timings.ttfbMs,
    totalMs: e.timings.totalMs,
    costAvoidedUsd: e.outcome === 'hit' ? e.costAvoidedUsd : null,
  };
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** The newest requests a client that connects is shown first, so a log opened late is not empty. */
export const HISTORY_ROWS = 500;

export class LiveHub {
  private readonly clients = new Set<Client>();
  /** The newest events (a ring of HISTORY_ROWS), kept as they are: mapped only when a client connects. */
  private readonly recent: MockEvent[] = [];
  private recentNext = 0;
  private pending: LiveRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ping: NodeJS.Timeout | null = null;
  private readonly token: Buffer;
  private readonly off: () => void;
  /** Set once the server listens: the Host header must name this port. */
  port = 0;

  constructor(
    token: string,
    events: MockEvents,
    private readonly source: LiveSource,
    /** Unsent bytes beyond which a client's rows are dropped (a test makes the bound small). */
    private readonly maxBufferedBytes = MAX_BUFFERED_BYTES,
  ) {
    this.token = Buffer.from(token, 'utf8');
    this.off = events.subscribe((e) => {
      if (e.outcome !== 'unrouted') {
        this.recent[this.recentNext] = e;
        this.recentNext = (this.recentNext + 1) % HISTORY_ROWS;
      }
      // Nobody listening: nothing to batch.
      if (this.clients.size === 0) return;
      const row = rowOf(e);
      if (!row) return;
      this.pending.push(row);
      this.timer ??= setTimeout(() => this.flush(), ROW_BATCH_MS);
    });
  }

  /** After a reset or a reload: the counts every client shows start over or change. */
  stateChanged(): void {
    if (this.clients.size === 0) return;
    // Rows from before the change go first, so a client never applies them to the new state.
    this.flush();
    const chunk = sse('state', this.source.state());
    for (const c of this.clients) c.res.write(chunk);
  }

  /** A reset: the log a client opens from now on starts empty, like the counts. */
  forgetHistory(): void {
    this.recent.length = 0;
    this.recentNext = 0;
  }

  /** The kept events as rows, oldest first. */
  private history(): LiveRow[] {
    const n = this.recent.length;
    const out: LiveRow[] = [];
    const start = n < HISTORY_ROWS ? 0 : this.recentNext;
    for (let i = 0; i < n; i++) {
      const row = rowOf(this.recent[(start + i) % n] as MockEvent);
      if (row) out.push(row);
    }
    return out;
  }

  close(): void {
    this.off();
    if (this.timer) clearTimeout(this.timer);
    if (this.ping) clearInterval(this.ping);
    this.timer = this.ping = null;
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  /** `/__tapedeck/live/*`: answered here, whatever the outcome. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: Buffer,
    recordKept?: RecordKept,
  ): Promise<void> {
    if (!this.hostAllowed(req.headers.host))
      return sendJson(res, 403, {
        error: {
          message: 'Tapedeck: the live link answers only on a loopback Host',
          type: 'tapedeck',
        },
      });
    if (!this.tokenMatches(req.headers[TOKEN_HEADER]))
      return sendJson(res, 401, {
        error: { message: `Tapedeck: missing or wrong ${TOKEN_HEADER}`, type: 'tapedeck' },
      });
    const method = req.method ?? 'GET';
    switch (path) {
      case '/events':
        if (method !== 'GET') return notAllowed(res, 'GET', path);
        return this.connect(req, res);
      case '/misses':
        if (method !== 'GET') return notAllowed(res, 'GET', path);
        return sendJson(res, 200, { misses: this.source.misses() });
      case '/record':
        if (method !== 'POST') return notAllowed(res, 'POST', path);
        return sendJson(res, 200, await this.record(body, recordKept));
      default:
        return sendJson(res, 404, {
          error: { message: `Tapedeck: no live endpoint ${path}`, type: 'tapedeck' },
        });
    }
  }

  private async record(
    body: Buffer,
    recordKept: RecordKept | undefined,
  ): Promise<RecordMissResult> {
    let key: unknown;
    try {
      key = (JSON.parse(body.toString('utf8')) as { key?: unknown } | null)?.key;
    } catch {
      return { ok: false, reason: 'the body must be JSON: {"key": "…"}' };
    }
    if (typeof key !== 'string') return { ok: false, reason: 'the body must be {"key": "…"}' };
    const kept = this.source.kept(key);
    if (kept === undefined)
      return { ok: false, reason: `no kept miss has key ${key} (reset, or evicted after 200)` };
    if (kept === null)
      return {
        ok: false,
        reason: 'this miss was not kept whole (refused, or over the memory the mock keeps for it)',
      };
    if (!recordKept) return { ok: false, reason: NO_RECORDER };
    try {
      return await recordKept(kept);
    } catch (e) {
      return { ok: false, reason: `recording failed: ${(e as Error).message}` };
    }
  }

  private connect(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    const client: Client = { res, dropped: 0, waiting: false };
    // Rows still batching go to the clients already there: the new one has them in its history.
    this.flush();
    res.write(sse('state', this.source.state()));
    // The state already counts these: a client shows them in its log, never adds them to counts.
    const history = this.history();
    if (history.length > 0) res.write(sse('history', history));
    this.clients.add(client);
    this.ping ??= setInterval(() => {
      for (const c of this.clients) c.res.write(': ping\n\n');
    }, PING_MS).unref();
    const leave = () => {
      this.clients.delete(client);
      if (this.clients.size === 0 && this.ping) {
        clearInterval(this.ping);
        this.ping = null;
      }
    };
    req.socket.once('close', leave);
    res.once('close', leave);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = this.pending;
    if (rows.length === 0) return;
    this.pending = [];
    const chunk = sse('rows', rows);
    for (const c of this.clients) this.send(c, chunk, rows.length);
  }

  /** Rows for a client over the bound are counted, not queued: memory stays bounded per client. */
  private send(c: Client, chunk: string, rows: number): void {
    if (c.waiting || c.res.writableLength > this.maxBufferedBytes) {
      c.dropped += rows;
      if (!c.waiting) {
        c.waiting = true;
        c.res.once('drain', () => {
          c.waiting = false;
          const dropped = c.dropped;
          c.dropped = 0;
          if (!c.res.destroyed) c.res.write(sse('dropped', { rows: dropped }));
        });
      }
      return;
    }
    c.res.write(chunk);
  }

  private hostAllowed(host: string | undefined): boolean {
    if (!host || this.port === 0) return false;
    const h = host.toLowerCase();
    return (
      h === `127.0.0.1:${this.port}` || h === `localhost:${this.port}` || h === `[::1]:${this.port}`
    );
  }

  private tokenMatches(given: string | string[] | undefined): boolean {
    if (typeof given !== 'string') return false;
    const b = Buffer.from(given, 'utf8');
    return b.length === this.token.length && timingSafeEqual(b, this.token);
  }
}

function notAllowed(res: ServerResponse, method: string, path: string): void {
  sendJson(res, 405, {
    error: { message: `${method} ${LIVE_PREFIX}${path}`, type: 'tapedeck' },
  });
}
