/** `tapedeck mock`: answers from a snapshot folder, as the recorded vendors did. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { watch } from 'chokidar';
import { Agent } from 'undici';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { detectApi, providerOf } from '../shared/providers/detect.js';
import { providerError } from '../shared/providers/errors.js';
import type { LoadError } from '../shared/schema.js';
import {
  BUILTIN_UPSTREAMS,
  CONTROL_NAME,
  parseQuery,
  parseRoute,
  upstreamUrl,
  type Route,
} from '../shared/upstreams.js';
import { bodyForMatching, storeBody } from './body.js';
import { forward } from './forward.js';
import { readBody, sendJson } from './http-util.js';
import { buildIndex, preparedOf, type ReplayIndex } from './replay-index.js';
import { replay, type Timing } from './replay.js';
import { closeServer, createServer, listen, type RunningServer } from './server-util.js';
import { loadSnapshot } from './store/snapshot-store.js';

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
  log?: (line: string) => void;
}

export interface Miss {
  at: string;
  upstream: string;
  method: string;
  path: string;
  closest: string | null;
  closestFile: string | null;
  diff: string[];
}

export interface UpstreamStats {
  requests: number;
  matched: number;
  unmatched: number;
  faults: Record<string, number>;
}

export interface RunningMock extends RunningServer {
  readonly unmatched: number;
  readonly loadErrors: LoadError[];
  readonly calls: number;
  /** Resolves after the next reload triggered by a file change (for tests and tools). */
  reloaded(): Promise<void>;
}

const MAX_MISSES = 200;

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

  let index: ReplayIndex = buildIndex(await loadSnapshot(dir));
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
    if (!s) stats.set(name, (s = { requests: 0, matched: 0, unmatched: 0, faults: {} }));
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
      await readBody(req).catch(() => undefined);
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
    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch {
      return;
    }
    const t0 = performance.now();
    const s = statsOf(route.name);
    s.requests++;
    const live: LiveRequest = {
      upstream: route.name,
      method,
      path: route.path,
      query: parseQuery(route.search),
      body: bodyForMatching(storeBody(raw, req.headers['content-type'])),
    };
    const result = index.matcher.match(live);
    if (result.kind === 'hit') {
      s.matched++;
      const entry = result.call;
      await replay(preparedOf(entry), res, timing, t0, { 'x-tapedeck-call': entry.id });
      log(
        `mock #${no} ${route.name} ${method} ${route.path} → ${entry.call.response.status} ${entry.id} ${Math.round(performance.now() - t0)}ms`,
      );
      return;
    }

    s.unmatched++;
    unmatched++;
    const closest = result.closest;
    misses.push({
      at: new Date().toISOString(),
      upstream: route.name,
      method,
      path: route.path,
      closest: closest?.id ?? null,
      closestFile: closest?.file ?? null,
      diff: result.diff,
    });
    if (misses.length > MAX_MISSES) misses.shift();

    const base = upstreams[route.name];
    if (passthroughAgent && base) {
      const capture = await forward({
        req,
        res,
        url: upstreamUrl(base, route),
        body: raw,
        dispatcher: passthroughAgent,
      });
      if (capture.status === null && !res.headersSent && !res.destroyed) {
        sendJson(res, 502, {
          error: {
            message: `Tapedeck: passthrough to ${route.name} failed: ${capture.error ?? ''}`,
            type: 'tapedeck',
          },
        });
      }
      log(
        `mock #${no} ${route.name} ${method} ${route.path} → ${capture.status ?? 502} MISS passthrough ${Math.round(performance.now() - t0)}ms`,
      );
      return;
    }
    const family = detectApi(route.path).family;
    const message = missMessage(method, route, closest, result.diff);
    const err = providerError(family, providerOf(route.name, family), 'not_found', message);
    const headers: Record<string, string> = { ...err.headers };
    if (closest) headers['x-tapedeck-closest'] = closest.id;
    sendJson(res, err.status, err.body, headers);
    log(
      `mock #${no} ${route.name} ${method} ${route.path} → ${err.status} MISS${closest ? ` closest ${closest.id}: ${result.diff.slice(0, 3).join('; ')}` : ''}`,
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      log(`mock error: ${e.stack ?? e.message}`);
      sendJson(res, 500, {
        error: { message: `Tapedeck mock error: ${e.message}`, type: 'tapedeck_error' },
      });
    });
  });
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
        const snapshot = await loadSnapshot(dir);
        index = buildIndex(snapshot);
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
      : watch(dir, {
          ignoreInitial: true,
          depth: 2,
          ignored: (p: string) => /\.tmp$|\.\d+$|~$/.test(p) || /(^|[/\\])\.[^/\\]+$/.test(p),
        }).on('all', (_event: string, p: string) => {
          if (!p.endsWith('.json')) return;
          if (reloadTimer) clearTimeout(reloadTimer);
          reloadTimer = setTimeout(reload, 100);
        });
  if (watcher) await new Promise<void>((r) => watcher.once('ready', () => r()));

  const { url, port } = await listen(server, opts.port ?? 8080, opts.host ?? '127.0.0.1');
  return {
    url,
    port,
    get unmatched() {
      return unmatched;
    },
    get loadErrors() {
      return [...seenErrors.values()];
    },
    get calls() {
      return index.snapshot.calls.length;
    },
    reloaded: () => new Promise<void>((r) => waiters.push(r)),
    async close() {
      if (reloadTimer) clearTimeout(reloadTimer);
      await watcher?.close();
      await closeServer(server);
      await passthroughAgent?.close();
    },
  };
}
