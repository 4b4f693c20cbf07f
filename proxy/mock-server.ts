/** `tapedeck mock`: answers from a snapshot folder, as the recorded vendors did. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Agent } from 'undici';
import { FaultEngine, type FiredFault, type Plan } from '../shared/faults/engine.js';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { detectApi, modelFromPath, providerOf } from '../shared/providers/detect.js';
import { providerError } from '../shared/providers/errors.js';
import { DEFAULT_MAX_BODY_BYTES, MAX_JSON_DEPTH, bytesExceedDepth } from '../shared/limits.js';
import type { LoadError } from '../shared/schema.js';
import {
  BUILTIN_UPSTREAMS,
  CONTROL_NAME,
  parseQuery,
  parseRoute,
  upstreamUrl,
  type Route,
} from '../shared/upstreams.js';
import { liveBody, parsesAsJson } from './body.js';
import { forward } from './forward.js';
import { BodyTooLargeError, readBody, sendJson } from './http-util.js';
import { errorPrepared, malformedPrepared } from './fault-reply.js';
import {
  buildIndex,
  preparedOf,
  scopedFaults,
  type Entry,
  type ReplayIndex,
} from './replay-index.js';
import { replay, scheduleOf, send, type Prepared, type Schedule, type Timing } from './replay.js';
import {
  DEFAULT_BODY_TIMEOUT_MS,
  StartError,
  closeServer,
  closedByTimeout,
  createServer,
  listen,
  type RunningServer,
} from './server-util.js';
import { logCleanUp } from './store/clean-up-log.js';
import { loadReplaySnapshot } from './store/replay-load.js';
import { cleanSnapshotSideFiles } from './store/snapshot-store.js';
import { watchFolder } from './store/watch-folder.js';

export type { Timing };

export interface MockOptions {
  dir: string;
  port?: number;
  host?: string;
  timing?: Timing;
  strict?: boolean;
  passthrough?: boolean;
  upstreams?: Record<string, string>;
  /** Reload the snapshot when its files change (default true). */
  watch?: boolean;
  /** A scenario in scenarios/NAME.json whose faults apply on top of tapedeck.json's. */
  scenario?: string;
  /** Seed of the faults' random draws: the same seed gives the same faults on the same requests. */
  seed?: string;
  /** false: no fault engine at all (for measuring what it costs). Default true. */
  faults?: boolean;
  /** Also write every request as a JSON line to this file. */
  logJson?: string;
  /** Request bodies over this many bytes get a 413 (default 32 MiB). */
  maxBodyBytes?: number;
  /** Longest time to receive a whole request, 0 for none (default 300 s); replies are not timed. */
  bodyTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Why a request was answered with an error before it could be matched. */
export type Refusal = 'too_large' | 'too_deep' | 'timeout';

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
  faultDetails: FiredFault[];
  /** Forwarded by --passthrough (and answered by the upstream unless status is 502). */
  passthrough: boolean;
  refused: Refusal | null;
  durationMs: number;
}

function faultLabel(f: FiredFault): string {
  return f.name ? `${f.kind}(${f.name})` : f.kind;
}

export interface Miss {
  at: string;
  upstream: string;
  method: string;
  path: string;
  closest: string | null;
  closestFile: string | null;
  diff: string[];
  /** Set when the request was refused rather than compared (too large, too deep, timed out). */
  reason?: string;
}

export interface UpstreamStats {
  requests: number;
  matched: number;
  unmatched: number;
  /** Unmatched requests that --passthrough forwarded and the upstream answered. */
  passthrough: number;
  faults: Record<string, number>;
}

export interface RunningMock extends RunningServer {
  readonly unmatched: number;
  readonly loadErrors: LoadError[];
  /** The last unmatched requests (at most 200), oldest first. */
  readonly misses: readonly Miss[];
  readonly calls: number;
  /** Resolves after the next reload triggered by a file change (for tests and tools). */
  reloaded(): Promise<void>;
}

const MAX_MISSES = 200;
/** Bodies up to this size are remembered by their bytes for exact hits (see Matcher.matchRaw). */
const RAW_MEMO_MAX_BODY = 8 * 1024;

class BodyTooDeepError extends Error {}

/** What --passthrough did with a miss: forwarded and answered, forwarded and failed, or not used. */
type Passthrough = 'answered' | 'failed' | null;

function missMessage(
  method: string,
  route: Route,
  closest: { id: string; file: string } | null,
  diff: string[],
): string {
  let msg = `Tapedeck: no recorded call matches ${method} ${route.path} on upstream "${route.name}".`;
  if (closest)
    msg += ` Closest: ${closest.id} (${closest.file}). Differences: ${diff.join('; ') || 'none listed'}.`;
  else msg += ' The snapshot has no call for this upstream.';
  return msg;
}

export async function startMockServer(opts: MockOptions): Promise<RunningMock> {
  const { dir } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const timing = opts.timing ?? { mode: 'recorded' };
  const upstreams: Record<string, string> = { ...BUILTIN_UPSTREAMS, ...opts.upstreams };
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyTimeout = opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;

  logCleanUp(await cleanSnapshotSideFiles(dir), log);
  let index: ReplayIndex = buildIndex(await loadReplaySnapshot(dir));
  const seed = opts.seed ?? '1';
  const engine =
    opts.faults === false
      ? null
      : new FaultEngine({ seed, scoped: scopedFaults(index.snapshot, opts.scenario) });
  let startedAt = performance.now();
  // Opened once the port is ours: a mock that cannot start leaves nothing behind.
  let jsonLog: WriteStream | null = null;
  for (const e of index.snapshot.errors)
    log(`tapedeck: skipped ${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason}`);
  // Every load error ever seen counts for --strict, even if the file was fixed later.
  const seenErrors = new Map<string, LoadError>(
    index.snapshot.errors.map((e) => [e.file + e.reason, e]),
  );

  const stats = new Map<string, UpstreamStats>();
  const misses: Miss[] = [];
  let unmatched = 0;
  let requestNo = 0;
  let openConnections = 0;
  const passthroughAgent = opts.passthrough ? new Agent({ keepAliveTimeout: 30_000 }) : null;

  const statsOf = (name: string): UpstreamStats => {
    let s = stats.get(name);
    if (!s)
      stats.set(name, (s = { requests: 0, matched: 0, unmatched: 0, passthrough: 0, faults: {} }));
    return s;
  };

  function control(req: IncomingMessage, res: ServerResponse, route: Route): void {
    switch (route.path) {
      case '/health':
        return sendJson(res, 200, {
          ok: true,
          mode: 'mock',
          calls: index.snapshot.calls.length,
          errors: index.snapshot.errors.length,
        });
      case '/stats':
        return sendJson(res, 200, {
          upstreams: Object.fromEntries(stats),
          openConnections,
          calls: index.snapshot.calls.length,
          unmatched,
          errors: index.snapshot.errors,
        });
      case '/misses':
        return sendJson(res, 200, { misses });
      case '/reset':
        if (req.method !== 'POST')
          return sendJson(res, 405, {
            error: { message: 'POST /__tapedeck/reset', type: 'tapedeck' },
          });
        index.matcher.reset();
        engine?.reset();
        startedAt = performance.now();
        stats.clear();
        misses.length = 0;
        unmatched = 0;
        return sendJson(res, 200, { ok: true });
      default:
        return sendJson(res, 404, {
          error: { message: `Tapedeck: no control endpoint ${route.path}`, type: 'tapedeck' },
        });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = parseRoute(req.url ?? '/');
    if (route?.name === CONTROL_NAME) {
      const read = await readBody(req, maxBody).then(
        () => null,
        (e: unknown) => e,
      );
      if (read instanceof BodyTooLargeError)
        return sendJson(
          res,
          413,
          { error: { message: `Tapedeck: body over ${maxBody} bytes`, type: 'tapedeck' } },
          { connection: 'close' },
        );
      if (read) return;
      return control(req, res, route);
    }
    const no = ++requestNo;
    const method = (req.method ?? 'GET').toUpperCase();
    if (!route) {
      return sendJson(res, 404, {
        error: {
          message: 'Tapedeck: requests go to /NAME/PATH, e.g. /openai/v1/chat/completions',
          type: 'tapedeck',
        },
      });
    }
    const arrived = performance.now();
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBody);
    } catch (e) {
      if (e instanceof BodyTooLargeError)
        return refuse(
          res,
          no,
          method,
          route,
          arrived,
          'too_large',
          `body over --max-body (${maxBody} bytes)`,
        );
      // A client that went away is no failure of ours; one that was too slow is reported.
      if (closedByTimeout(req.socket))
        refuse(
          res,
          no,
          method,
          route,
          arrived,
          'timeout',
          `request not complete within --body-timeout (${bodyTimeout} ms)`,
        );
      return;
    }
    const t0 = performance.now();
    const parseLive = (): LiveRequest => {
      const body = liveBody(raw, req.headers['content-type']);
      // JSON nested deeper than the limit is kept as text by storeBody (so it cannot overflow a
      // recursive walk); it is refused like the recorder refuses it, not matched as a string.
      if (typeof body === 'string' && bytesExceedDepth(raw) && parsesAsJson(body))
        throw new BodyTooDeepError();
      return {
        upstream: route.name,
        method,
        path: route.path,
        query: parseQuery(route.search),
        body,
        // Lets redaction rule out secrets with one regex over the text instead of a walk; a
        // getter, as a request that equals a recording as it is never needs it.
        get rawBody() {
          return raw.toString('latin1');
        },
      };
    };
    // Repeated identical requests (load tests, retries, CI reruns) skip parsing and hashing.
    let result: ReturnType<ReplayIndex['matcher']['match']>;
    try {
      result =
        raw.length <= RAW_MEMO_MAX_BODY
          ? index.matcher.matchRaw(
              `${route.name}\u0000${method}\u0000${route.path}\u0000${route.search}\u0000${req.headers['content-type'] ?? ''}\u0000${raw.toString('latin1')}`,
              parseLive,
            )
          : index.matcher.match(parseLive());
    } catch (e) {
      if (!(e instanceof BodyTooDeepError)) throw e;
      return refuse(
        res,
        no,
        method,
        route,
        arrived,
        'too_deep',
        `JSON body nests deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    const s = statsOf(route.name);
    s.requests++;
    let liveCache: LiveRequest | null = null;
    const live = (): LiveRequest => (liveCache ??= parseLive());
    const entry = result.kind === 'hit' ? result.call : null;
    const family = detectApi(route.path).family;
    let plan: Plan | null = null;
    if (engine) {
      const provider = entry ? entry.call.provider : providerOf(route.name, family);
      const model = entry ? entry.call.model : modelOf(live());
      plan = engine.plan(
        { upstream: route.name, provider, model, path: route.path },
        entry?.id ?? null,
        entry?.faults ?? null,
        t0 - startedAt,
      );
    }
    let status: number;
    let passthrough: Passthrough = null;
    let fired: FiredFault[] = [];
    // Counted as they fire, so a hanging request shows in the stats while it hangs.
    const onFire = (applied: FiredFault[]) => {
      fired = applied;
      for (const f of applied) s.faults[f.kind] = (s.faults[f.kind] ?? 0) + 1;
    };
    if (plan && plan.fired.length > 0 && (entry || plan.error)) {
      status = await sendWithFaults(res, route, entry, plan, t0, onFire);
    } else if (entry) {
      status = entry.call.response.status;
      await replay(preparedOf(entry), res, timing, t0, { 'x-tapedeck-call': entry.id });
    } else {
      // A miss meets only the timing faults; it is still answered as a miss.
      const timingOnly = plan?.fired.filter((f) => f.kind === 'latency' || f.kind === 'hang') ?? [];
      onFire(timingOnly);
      const wait = timingOnly.length && plan ? missDelay(route, plan) : 0;
      if (wait > 0) await delay(wait === Infinity ? null : wait, res);
      if (res.destroyed) status = 0;
      else
        ({ status, passthrough } = await sendMiss(
          req,
          res,
          route,
          result.kind === 'miss' ? result : null,
          raw,
          timingOnly.map((f) => f.kind),
        ));
    }
    // The client left before any header went out: nothing was answered, whatever was planned.
    if (!res.headersSent) status = 0;
    const closest = result.kind === 'miss' ? result.closest : null;
    if (entry) s.matched++;
    else if (passthrough === 'answered') s.passthrough++;
    else {
      // A passthrough the upstream did not answer still fails --strict: the test got no reply.
      const diff = result.kind === 'miss' ? result.diff : [];
      countMiss(
        s,
        route,
        method,
        closest,
        diff,
        passthrough === 'failed' ? 'passthrough failed' : undefined,
      );
    }
    const what = entry
      ? entry.id
      : passthrough
        ? `PASSTHROUGH${passthrough === 'failed' ? ' FAILED' : ''}${closest ? ` (closest ${closest.id})` : ''}`
        : closest
          ? `MISS closest ${closest.id}: ${result.kind === 'miss' ? result.diff.slice(0, 3).join('; ') : ''}`
          : 'MISS';
    report(no, route, method, status, what, t0, {
      entry,
      fired,
      passthrough: passthrough !== null,
      refused: null,
    });
  }

  /** The one log line and `--log-json` record of every request, answered or refused. */
  function report(
    no: number,
    route: Route,
    method: string,
    status: number,
    what: string,
    since: number,
    o: {
      entry: Entry | null;
      fired: FiredFault[];
      passthrough: boolean;
      refused: RequestRecord['refused'];
    },
  ): void {
    const durationMs = Math.round((performance.now() - since) * 10) / 10;
    log(
      `mock #${no} ${route.name} ${method} ${route.path} → ${status} ${what}${o.fired.length ? ` faults=${o.fired.map(faultLabel).join(',')}` : ''} ${Math.round(durationMs)}ms`,
    );
    if (jsonLog) {
      const record: RequestRecord = {
        time: new Date().toISOString(),
        request: no,
        upstream: route.name,
        method,
        path: route.path,
        status,
        matched: !!o.entry,
        call: o.entry?.id ?? null,
        file: o.entry?.file ?? null,
        faults: o.fired.map((f) => f.kind),
        faultDetails: o.fired,
        passthrough: o.passthrough,
        refused: o.refused,
        durationMs,
      };
      jsonLog.write(JSON.stringify(record) + '\n');
    }
  }

  /** Counts an unmatched request for the stats, /__tapedeck/misses and --strict. */
  function countMiss(
    s: UpstreamStats,
    route: Route,
    method: string,
    closest: Entry | null,
    diff: string[],
    reason?: string,
  ): void {
    s.unmatched++;
    unmatched++;
    misses.push({
      at: new Date().toISOString(),
      upstream: route.name,
      method,
      path: route.path,
      closest: closest?.id ?? null,
      closestFile: closest?.file ?? null,
      diff,
      ...(reason !== undefined ? { reason } : {}),
    });
    if (misses.length > MAX_MISSES) misses.shift();
  }

  /**
   * Answers a request that cannot be matched at all (too large, too deep, too slow) with an error
   * in the provider's shape, and counts it as unmatched: a test that sent it got no recorded reply.
   */
  function refuse(
    res: ServerResponse,
    no: number,
    method: string,
    route: Route,
    arrived: number,
    refusal: Refusal,
    reason: string,
  ): void {
    const s = statsOf(route.name);
    s.requests++;
    countMiss(s, route, method, null, [], reason);
    let status = 408; // the server already answered a timed-out request and closed it
    if (refusal !== 'timeout') {
      const family = detectApi(route.path).family;
      const err = providerError(
        family,
        providerOf(route.name, family),
        refusal === 'too_large' ? 'too_large' : 'invalid_request',
        `Tapedeck: request refused: ${reason}.`,
      );
      status = err.status;
      // An over-limit body was not read to its end: the connection cannot carry another request.
      const headers =
        refusal === 'too_large' ? { ...err.headers, connection: 'close' } : err.headers;
      sendJson(res, err.status, err.body, headers);
    }
    report(no, route, method, status, `REFUSED: ${reason}`, arrived, {
      entry: null,
      fired: [],
      passthrough: false,
      refused: refusal,
    });
  }

  function modelOf(live: LiveRequest): string | null {
    const body = live.body as { model?: unknown } | undefined;
    if (body && typeof body === 'object' && typeof body.model === 'string') return body.model;
    return modelFromPath(live.path);
  }

  /** How long timing faults hold back the answer to a miss. */
  function missDelay(route: Route, plan: Plan): number {
    const family = detectApi(route.path).family;
    const p = errorPrepared(family, 'http', { kind: 'not_found', message: '' });
    return scheduleOf(p, { mode: 'instant' }, plan).headersAt;
  }

  /** A reply shaped by fired faults: an error in the provider's shape, or the recording altered. */
  async function sendWithFaults(
    res: ServerResponse,
    route: Route,
    entry: Entry | null,
    plan: Plan,
    t0: number,
    onFire: (applied: FiredFault[]) => void,
  ): Promise<number> {
    let applied = plan.fired;
    const family = detectApi(route.path).family;
    const headers: Record<string, string> = {};
    if (entry) headers['x-tapedeck-call'] = entry.id;
    let p: Prepared;
    let s: Schedule;
    if (plan.error || !entry) {
      // Unmatched requests still meet vendor-wide errors (a 429 does not care what you asked).
      const provider = entry ? entry.call.provider : providerOf(route.name, family);
      p = errorPrepared(family, provider, plan.error ?? { kind: 'server_error', message: '' });
      s = scheduleOf(p, { mode: 'instant' }, plan);
    } else {
      p = preparedOf(entry);
      if (plan.malformed) {
        const broken = malformedPrepared(entry.call, p, plan.malformed);
        if (broken) p = broken;
        else {
          applied = applied.filter((f) => f.kind !== 'malformed');
          log(
            `tapedeck: malformed ${plan.malformed.mode} does not apply to ${entry.file} (nothing to break that way)`,
          );
        }
      }
      s = scheduleOf(p, timing, plan);
    }
    onFire(applied);
    if (applied.length) headers['x-tapedeck-fault'] = applied.map((f) => f.kind).join(',');
    await send(p, res, s, t0, headers);
    return p.status;
  }

  function delay(ms: number | null, res: ServerResponse): Promise<void> {
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

  /** The 404 in the provider's shape, or the passthrough reply; returns the status sent. */
  async function sendMiss(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    miss: { closest: Entry | null; diff: string[] } | null,
    raw: Buffer,
    faults: string[] = [],
  ): Promise<{ status: number; passthrough: Passthrough }> {
    const base = upstreams[route.name];
    if (passthroughAgent && base) {
      const capture = await forward({
        req,
        res,
        url: upstreamUrl(base, route),
        body: raw,
        dispatcher: passthroughAgent,
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
    const family = detectApi(route.path).family;
    const closest = miss?.closest ?? null;
    const message = missMessage(
      (req.method ?? 'GET').toUpperCase(),
      route,
      closest,
      miss?.diff ?? [],
    );
    const err = providerError(family, providerOf(route.name, family), 'not_found', message);
    const headers: Record<string, string> = { ...err.headers };
    if (closest) headers['x-tapedeck-closest'] = closest.id;
    if (faults.length) headers['x-tapedeck-fault'] = faults.join(',');
    sendJson(res, err.status, err.body, headers);
    return { status: err.status, passthrough: null };
  }

  const server = createServer(
    (req, res) => {
      handle(req, res).catch((e: Error) => {
        log(`mock error: ${e.stack ?? e.message}`);
        sendJson(res, 500, {
          error: { message: `Tapedeck mock error: ${e.message}`, type: 'tapedeck_error' },
        });
      });
    },
    { bodyTimeoutMs: bodyTimeout },
  );
  server.on('connection', (socket) => {
    openConnections++;
    socket.once('close', () => openConnections--);
  });

  // Edits in the desktop app or by hand apply to the running mock without a restart.
  const waiters: Array<() => void> = [];
  let reloadTimer: NodeJS.Timeout | null = null;
  let reloading: Promise<void> = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      try {
        const snapshot = await loadReplaySnapshot(dir);
        index = buildIndex(snapshot);
        try {
          engine?.setScoped(scopedFaults(snapshot, opts.scenario));
        } catch (e) {
          engine?.setScoped(scopedFaults(snapshot, undefined));
          log(`tapedeck: ${(e as Error).message}; serving without it until it is back`);
        }
        for (const e of snapshot.errors) {
          if (!seenErrors.has(e.file + e.reason))
            log(`tapedeck: skipped ${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason}`);
          seenErrors.set(e.file + e.reason, e);
        }
        log(`tapedeck: reloaded ${snapshot.calls.length} calls`);
      } catch (e) {
        log(
          `tapedeck: reload failed, still serving the previous snapshot: ${(e as Error).message}`,
        );
      }
      for (const w of waiters.splice(0)) w();
    });
  };
  const watcher =
    opts.watch === false
      ? null
      : watchFolder(dir, () => {
          if (reloadTimer) clearTimeout(reloadTimer);
          reloadTimer = setTimeout(reload, 0);
        });

  /** Everything opened so far; a mock that cannot start must leave nothing open (an open watch keeps the process alive). */
  const release = async (listening: boolean) => {
    if (reloadTimer) clearTimeout(reloadTimer);
    watcher?.close();
    jsonLog?.end();
    if (listening) await closeServer(server);
    await passthroughAgent?.close();
  };
  let listening: { url: string; port: number };
  try {
    listening = await listen(server, opts.port ?? 8080, opts.host ?? '127.0.0.1');
  } catch (e) {
    await release(false);
    throw e;
  }
  const { url, port } = listening;
  let closing: Promise<void> | null = null;
  if (opts.logJson) {
    try {
      jsonLog = createWriteStream('', { fd: await open(opts.logJson, 'a') });
    } catch (e) {
      await release(true);
      throw new StartError(`cannot open --log-json ${opts.logJson}: ${(e as Error).message}`);
    }
  }
  return {
    url,
    port,
    get unmatched() {
      return unmatched;
    },
    get loadErrors() {
      return [...seenErrors.values()];
    },
    get misses() {
      return [...misses];
    },
    get calls() {
      return index.snapshot.calls.length;
    },
    reloaded: () => new Promise<void>((r) => waiters.push(r)),
    // Idempotent: a CLI signal and a test's cleanup may both close it.
    close: () => (closing ??= release(true)),
  };
}
