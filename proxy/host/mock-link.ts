/**
 * The app's side of the link to a running `tapedeck mock` (protocol: shared/mock-link.ts). Finds
 * the mock through `<folder>/.tapedeck/mock.json` (fs.watch on the folder and `.tapedeck/`, with a
 * 2 s poll for the file systems where watching is unreliable), checks its process is alive,
 * follows `GET /__tapedeck/live/events` with the token, and hands what arrives to DesktopHost's
 * `onMock` listeners. A file it cannot trust (too large, not JSON, wrong shape, a non-loopback
 * URL) counts as no mock at all.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import type { MockLinkEvent, MockStatus } from '../../shared/desktop-api.js';
import {
  ANNOUNCE_FILE,
  LINK_DIR,
  LIVE_PREFIX,
  TOKEN_HEADER,
  type LiveRow,
  type LiveState,
  type MissGroup,
  type MockAnnouncement,
  type RecordMissResult,
} from '../../shared/mock-link.js';
import { HostError } from './host-error.js';

export const POLL_MS = 2_000;
/** An announce file is a few hundred bytes; anything past this is not one. */
const MAX_ANNOUNCE_BYTES = 16 * 1024;
const MISSES_DEBOUNCE_MS = 150;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** More than the mock's history (500 rows), so a reconnect never repeats one. */
const FORWARDED_IDS = 2_000;

const LOOPBACK_URL = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/;

const Announcement = z
  .object({
    url: z.string().regex(LOOPBACK_URL),
    token: z.string().regex(/^[0-9a-f]{64}$/),
    pid: z.number().int().positive(),
    startedAt: z.string().max(64),
    version: z.string().max(64),
    dir: z.string().max(4096),
    scenario: z.string().max(256).nullable(),
    recordMisses: z.boolean(),
  })
  .strict();

/** Whether a process with this id exists (EPERM: it does, but is someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The announce file, or null when there is none or it cannot be trusted. */
export async function readAnnouncement(root: string): Promise<MockAnnouncement | null> {
  let handle;
  try {
    handle = await open(path.join(root, ANNOUNCE_FILE), 'r');
  } catch {
    return null;
  }
  try {
    const st = await handle.stat();
    // A FIFO would block the read; a huge file is no announcement.
    if (!st.isFile() || st.size > MAX_ANNOUNCE_BYTES) return null;
    const buf = Buffer.alloc(MAX_ANNOUNCE_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > MAX_ANNOUNCE_BYTES) return null;
    const parsed = Announcement.safeParse(JSON.parse(buf.subarray(0, bytesRead).toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

const sameMock = (a: MockAnnouncement | null, b: MockAnnouncement | null) =>
  a !== null && b !== null && a.url === b.url && a.token === b.token && a.pid === b.pid;

export class MockLink {
  private current: MockAnnouncement | null = null;
  /** Row ids already sent on, so the history a reconnect brings is not shown twice. */
  private readonly forwarded = new Set<number>();
  private readonly forwardedOrder: number[] = [];
  private statusNow: MockStatus = { state: 'none' };
  private live: LiveState | null = null;
  private abort: AbortController | null = null;
  private watchers: FSWatcher[] = [];
  private poll: NodeJS.Timeout;
  private checkTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private missesTimer: NodeJS.Timeout | null = null;
  private backoff = BACKOFF_MIN_MS;
  private checking: Promise<void> = Promise.resolve();
  private stateWaiters: Array<(s: LiveState) => void> = [];
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly emit: (event: MockLinkEvent) => void,
  ) {
    this.armWatch('');
    this.armWatch(LINK_DIR);
    this.poll = setInterval(() => this.scheduleCheck(), POLL_MS);
    this.poll.unref();
    // The first look is not debounced: `ready()` waits for it.
    this.checking = this.check().catch(() => undefined);
  }

  /** Resolves after the first look at the announce file (and the connection it leads to, if any). */
  ready(): Promise<void> {
    return this.checking;
  }

  status(): MockStatus {
    return this.statusNow;
  }

  async misses(): Promise<MissGroup[]> {
    if (!this.connected()) return [];
    const body = (await this.request('GET', `${LIVE_PREFIX}/misses`)) as { misses?: MissGroup[] };
    return Array.isArray(body.misses) ? body.misses : [];
  }

  /** Resets the mock and answers with the state its stream sends after the reset. */
  async reset(): Promise<LiveState> {
    this.requireConnected();
    const next = new Promise<LiveState>((resolve, reject) => {
      const t = setTimeout(() => {
        this.stateWaiters = this.stateWaiters.filter((w) => w !== waiter);
        reject(new HostError('no_mock', 'the mock did not send its state after the reset'));
      }, REQUEST_TIMEOUT_MS);
      const waiter = (s: LiveState) => {
        clearTimeout(t);
        resolve(s);
      };
      this.stateWaiters.push(waiter);
    });
    try {
      await this.request('POST', '/__tapedeck/reset');
    } catch (e) {
      next.catch(() => undefined);
      throw e;
    }
    return next;
  }

  async record(key: string): Promise<RecordMissResult> {
    this.requireConnected();
    return (await this.request('POST', `${LIVE_PREFIX}/record`, { key })) as RecordMissResult;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    for (const t of [this.checkTimer, this.retryTimer, this.missesTimer]) if (t) clearTimeout(t);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    this.abort?.abort();
    this.abort = null;
    await this.checking.catch(() => undefined);
  }

  private connected(): boolean {
    return this.statusNow.state === 'connected' && this.current !== null;
  }

  private requireConnected(): MockAnnouncement {
    if (!this.connected() || !this.current)
      throw new HostError('no_mock', 'no mock serves this folder');
    return this.current;
  }

  private async request(method: string, p: string, body?: unknown): Promise<unknown> {
    const mock = this.requireConnected();
    let res: Response;
    try {
      res = await fetch(mock.url + p, {
        method,
        headers: {
          [TOKEN_HEADER]: mock.token,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      throw new HostError(
        'no_mock',
        `the mock at ${mock.url} did not answer: ${(e as Error).message}`,
      );
    }
    const text = await res.text();
    if (!res.ok)
      throw new HostError('no_mock', `the mock answered ${res.status} to ${method} ${p}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HostError('no_mock', `the mock's answer to ${method} ${p} is not JSON`);
    }
  }

  private armWatch(sub: string): void {
    if (this.closed) return;
    try {
      const w = watch(path.join(this.root, sub), (_event, name) => {
        if (sub === '' && name?.toString() === LINK_DIR) this.armWatch(LINK_DIR);
        if (sub !== '' || name?.toString() === LINK_DIR) this.scheduleCheck();
      });
      w.on('error', () => {
        w.close();
        this.watchers = this.watchers.filter((x) => x !== w);
      });
      if (sub !== '') {
        // A re-created `.tapedeck/` needs a new watch; the old one died with the folder.
        for (const old of this.watchers.splice(1)) old.close();
      }
      this.watchers.push(w);
    } catch {
      // `.tapedeck/` does not exist yet: the folder's watch (or the poll) sees it appear.
    }
  }

  private scheduleCheck(): void {
    if (this.closed || this.checkTimer) return;
    this.checkTimer = setTimeout(() => {
      this.checkTimer = null;
      this.checking = this.checking.then(() => this.check()).catch(() => undefined);
    }, 20);
  }

  /** Looks at the file: no mock, the same mock (nothing to do), or a new one to connect to. */
  private async check(): Promise<void> {
    if (this.closed) return;
    const found = await readAnnouncement(this.root);
    if (this.closed) return;
    const alive = found !== null && pidAlive(found.pid);
    if (!alive) {
      if (this.current !== null || this.statusNow.state !== 'none') this.disconnect();
      return;
    }
    if (sameMock(found, this.current)) return;
    // Another mock took the folder over (or the first one appears): its status replaces the old.
    this.abort?.abort();
    this.abort = null;
    this.current = found;
    this.forwarded.clear();
    this.forwardedOrder.length = 0;
    this.backoff = BACKOFF_MIN_MS;
    await this.connect(found);
  }

  /** After an unreachable spell: the same mock again if the file still names it, else a fresh look. */
  private async retry(mock: MockAnnouncement): Promise<void> {
    if (this.closed || this.current !== mock) return;
    const found = await readAnnouncement(this.root);
    if (this.closed || this.current !== mock) return;
    if (found === null || !pidAlive(found.pid)) return this.disconnect();
    if (!sameMock(found, mock)) {
      this.current = null;
      return this.check();
    }
    await this.connect(mock);
  }

  private disconnect(): void {
    this.abort?.abort();
    this.abort = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.current = null;
    this.live = null;
    this.setStatus({ state: 'none' });
  }

  private setStatus(status: MockStatus): void {
    const before = JSON.stringify(this.statusNow);
    this.statusNow = status;
    if (JSON.stringify(status) !== before || status.state === 'connected')
      this.emit({ kind: 'status', status });
  }

  /** Resolves once the stream is open (or refused); events then arrive until it ends. */
  private async connect(mock: MockAnnouncement): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    let res: Response;
    try {
      res = await fetch(`${mock.url}${LIVE_PREFIX}/events`, {
        headers: { [TOKEN_HEADER]: mock.token, accept: 'text/event-stream' },
        signal: abort.signal,
      });
    } catch (e) {
      if (abort.signal.aborted) return;
      return this.unreachable(mock, `not answering: ${causeOf(e)}`);
    }
    if (abort.signal.aborted) return;
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      const why =
        res.status === 401
          ? 'it refused the token (401): the announce file may belong to another mock'
          : res.status === 403
            ? 'it refused the Host (403)'
            : `it answered ${res.status}`;
      return this.unreachable(mock, why);
    }
    // The first state arrives on the stream; read it before calling the link connected.
    const first = new Promise<void>((resolve) => {
      void this.follow(mock, res.body as ReadableStream<Uint8Array>, abort, resolve);
    });
    await first;
  }

  private async follow(
    mock: MockAnnouncement,
    body: ReadableStream<Uint8Array>,
    abort: AbortController,
    opened: () => void,
  ): Promise<void> {
    const parser = createParser({
      onEvent: (msg) => {
        if (abort.signal.aborted) return;
        try {
          this.onMessage(mock, msg.event ?? 'message', msg.data, opened);
        } catch {
          // A message we cannot read is skipped; the stream goes on.
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || abort.signal.aborted) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // Aborted by us, or the mock went away: both end up below.
    }
    opened();
    if (abort.signal.aborted || this.closed || this.abort !== abort) return;
    this.abort = null;
    // The stream ended: the mock stopped (its file will go, or its pid is dead) or restarts.
    if (!pidAlive(mock.pid)) return this.disconnect();
    this.unreachable(mock, 'the live stream ended');
  }

  private onMessage(mock: MockAnnouncement, event: string, data: string, opened: () => void): void {
    if (event === 'state') {
      const state = JSON.parse(data) as LiveState;
      const first = this.statusNow.state !== 'connected';
      this.live = state;
      this.backoff = BACKOFF_MIN_MS;
      for (const w of this.stateWaiters.splice(0)) w(state);
      if (first) {
        this.setStatus({
          state: 'connected',
          url: mock.url,
          pid: mock.pid,
          startedAt: mock.startedAt,
          scenario: mock.scenario,
          recordMisses: mock.recordMisses,
          live: state,
        });
        opened();
        this.refreshMisses(0);
      } else {
        this.statusNow = {
          ...(this.statusNow as Extract<MockStatus, { state: 'connected' }>),
          live: state,
        };
        this.emit({ kind: 'state', state });
        this.refreshMisses(0);
      }
    } else if (event === 'history') {
      // The newest rows from before this connection: counted in the state already; after a
      // reconnect to the same mock, those already forwarded are left out.
      const rows = JSON.parse(data) as LiveRow[];
      if (!Array.isArray(rows)) return;
      const fresh = rows.filter((r) => !this.forwarded.has(r.id));
      this.remember(fresh);
      if (fresh.length > 0) this.emit({ kind: 'history', rows: fresh });
    } else if (event === 'rows') {
      const rows = JSON.parse(data) as LiveRow[];
      if (!Array.isArray(rows)) return;
      this.apply(rows);
      this.remember(rows);
      this.emit({ kind: 'rows', rows });
      if (
        rows.some(
          (r) => r.outcome === 'miss' || r.outcome === 'passthrough' || r.outcome === 'recorded',
        )
      )
        this.refreshMisses(MISSES_DEBOUNCE_MS);
    }
    // `dropped` (this app read too slowly) leaves a gap in the log; the counts stay right, as the
    // next state or the misses say.
  }

  /** Ids of the rows forwarded from this mock (the newest FORWARDED_IDS), oldest first. */
  private remember(rows: readonly LiveRow[]): void {
    for (const r of rows) {
      this.forwarded.add(r.id);
      this.forwardedOrder.push(r.id);
    }
    const over = this.forwardedOrder.length - FORWARDED_IDS;
    if (over > 0) for (const id of this.forwardedOrder.splice(0, over)) this.forwarded.delete(id);
  }

  /** Keeps the status's counts current between states: what the rows add to them. */
  private apply(rows: LiveRow[]): void {
    const live = this.live;
    if (!live) return;
    for (const r of rows) {
      live.requests++;
      if (r.outcome === 'hit' && r.file) {
        live.hits[r.file] = (live.hits[r.file] ?? 0) + 1;
        if (r.call) {
          const i = live.unused.indexOf(r.call);
          if (i >= 0) live.unused.splice(i, 1);
        }
        if (r.costAvoidedUsd !== null) live.costAvoidedUsd += r.costAvoidedUsd;
      } else if (r.outcome === 'miss' || r.outcome === 'refused') live.unmatched++;
    }
  }

  private refreshMisses(delay: number): void {
    if (this.missesTimer) return;
    this.missesTimer = setTimeout(() => {
      this.missesTimer = null;
      this.misses().then(
        (misses) => {
          if (!this.closed && this.connected()) {
            if (this.live) this.live.missGroups = misses.length;
            this.emit({ kind: 'misses', misses });
          }
        },
        () => undefined,
      );
    }, delay);
  }

  private unreachable(mock: MockAnnouncement, reason: string): void {
    if (this.closed || this.current !== mock) return;
    this.live = null;
    this.setStatus({ state: 'unreachable', url: mock.url, reason });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.checking = this.checking.then(() => this.retry(mock)).catch(() => undefined);
    }, this.backoff);
    this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
  }
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
