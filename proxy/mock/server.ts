/** `tapedeck mock`: loads the snapshot, runs the pipeline on a server, reloads on file changes. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { Agent } from 'undici';
import type { LoadError } from '../../shared/schema.js';
import { BUILTIN_UPSTREAMS } from '../../shared/upstreams.js';
import type { Timing } from '../replay.js';
import {
  StartError,
  closeServer,
  createServer,
  listen,
  type RunningServer,
} from '../server-util.js';
import { logCleanUp } from '../store/clean-up-log.js';
import { loadReplaySnapshot } from '../store/replay-load.js';
import { cleanSnapshotSideFiles } from '../store/snapshot-store.js';
import { watchFolder } from '../store/watch-folder.js';
import type { LiveState } from '../../shared/mock-link.js';
import { announce, announcedUrl, newToken, type Announced } from './announce.js';
import { createCore, failReply, loadedOf, skipped } from './core.js';
import type { MockEvents } from './events.js';
import { LiveHub } from './live.js';
import { MockMetrics } from './metrics.js';
import { jsonLogSubscriber } from './report.js';
import { buildReport, writeReport } from './run-report.js';
import { MissRecorder } from './record-miss.js';
import type { Miss } from './stats.js';
import { TimedResponse } from './timed-response.js';
import { VendorSamples } from './vendor-samples.js';

export interface MockOptions {
  dir: string;
  port?: number;
  host?: string;
  timing?: Timing;
  strict?: boolean;
  passthrough?: boolean;
  upstreams?: Record<string, string>;
  /**
   * Forward each unmatched request to its upstream and write it as a new call (VCR's "new
   * episodes"); not with `passthrough`. See docs/record-misses.md.
   */
  recordMisses?: boolean;
  /** Where provider keys come from for requests that carry none or the placeholder (default process.env). */
  env?: NodeJS.ProcessEnv;
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
  /** At exit, write a run summary (`tapedeck-report/1`) to this file. */
  report?: string;
  /** One log line per request (default true); the start, reload and skipped-file lines stay. */
  logRequests?: boolean;
  /** Write `.tapedeck/mock.json` for the desktop app (default true). */
  announce?: boolean;
  log?: (line: string) => void;
}

export interface RunningMock extends RunningServer {
  readonly unmatched: number;
  readonly loadErrors: LoadError[];
  /** The last unmatched requests (at most 200), oldest first. */
  readonly misses: readonly Miss[];
  readonly calls: number;
  /** One event per request the mock handles (control requests excepted); see docs/mock-pipeline.md. */
  readonly events: MockEvents;
  /** The live link's token (also in `.tapedeck/mock.json`). */
  readonly token: string;
  /** Resolves after the next reload triggered by a file change (for tests and tools). */
  reloaded(): Promise<void>;
  /** Requests since start or reset, the hits among them and the cost they avoided (the exit line). */
  summary(): { requests: number; hits: number; unmatched: number; costAvoidedUsd: number };
}

export async function startMockServer(opts: MockOptions): Promise<RunningMock> {
  const { dir } = opts;
  if (opts.recordMisses && opts.passthrough)
    throw new StartError(
      '--record-misses and --passthrough cannot be used together (one records a miss, the other only forwards it)',
    );
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));

  logCleanUp(await cleanSnapshotSideFiles(dir), log);
  const firstSnapshot = await loadReplaySnapshot(dir);
  for (const e of firstSnapshot.errors) log(skipped(e));
  // Every load error ever seen counts for --strict, even if the file was fixed later.
  const seenErrors = new Map<string, LoadError>(
    firstSnapshot.errors.map((e) => [e.file + e.reason, e]),
  );

  let openConnections = 0;
  let reloading: Promise<void> = Promise.resolve();
  const passthroughAgent = opts.passthrough ? new Agent({ keepAliveTimeout: 30_000 }) : null;
  const upstreams = { ...BUILTIN_UPSTREAMS, ...opts.upstreams };
  // Every mock has upstreams (the built-in ones at least): *record it* is always offered, and
  // refuses by itself when no key is at hand.
  const recorder = new MissRecorder({
    dir,
    upstreams,
    env: opts.env ?? process.env,
    log,
    // Queued with the reloads: a reload that read the folder before the write cannot undo it.
    added: (loaded) =>
      (reloading = reloading.then(() => {
        const now = core.snapshot();
        if (now.calls.some((c) => c.file === loaded.file)) return;
        try {
          core.pipeline.loaded = loadedOf({ ...now, calls: [...now.calls, loaded] });
        } catch (e) {
          // The file is written; the reload its write triggers (or the next) will bring it in.
          log(`tapedeck: ${loaded.file} is written but not yet served: ${(e as Error).message}`);
        }
      })),
  });
  const token = newToken();
  const samples = new VendorSamples();
  const core = createCore(firstSnapshot, {
    timing: opts.timing,
    scenario: opts.scenario,
    seed: opts.seed,
    faults: opts.faults,
    maxBodyBytes: opts.maxBodyBytes,
    bodyTimeoutMs: opts.bodyTimeoutMs,
    logRequests: opts.logRequests,
    upstreams,
    log,
    passthroughAgent,
    recorder: opts.recordMisses ? recorder : null,
    samples,
  });
  const { stats, groups, pipeline, bus, bodyTimeoutMs } = core;
  const startedAt = stats.since;
  const metrics = new MockMetrics(
    bus,
    () => openConnections,
    () => samples.openNow(),
  );
  const liveState = (): LiveState => ({
    since: stats.since,
    requests: stats.requests,
    unmatched: stats.unmatched,
    costAvoidedUsd: stats.costAvoidedUsd,
    hits: Object.fromEntries(stats.replayed.hits().map((h) => [h.file, h.hits])),
    unused: core.unused(),
    missGroups: groups.size,
  });
  const live = new LiveHub(token, bus, {
    state: liveState,
    misses: () => groups.list(),
    kept: (key) => groups.kept(key),
  });
  core.setControls({
    maxBodyBytes: core.maxBodyBytes,
    stats,
    snapshot: () => ({ calls: core.snapshot().calls.length, errors: core.snapshot().errors }),
    prices: () => core.snapshot().manifest?.prices,
    openConnections: () => openConnections,
    samples,
    reset: () => {
      core.reset();
      live.stateChanged();
      live.forgetHistory();
      metrics.reset();
    },
    unused: core.unused,
    tests: core.tests,
    metrics,
    live,
    recordKept: (kept) => recorder.record(kept),
  });

  const server = createServer(
    (req, res) => {
      pipeline.handle(req, res).catch((e: Error) => {
        log(`mock error: ${e.stack ?? e.message}`);
        failReply(res, e.message);
      });
    },
    { bodyTimeoutMs, ServerResponse: TimedResponse },
  );
  server.on('connection', (socket) => {
    samples.setConnections(++openConnections);
    socket.once('close', () => samples.setConnections(--openConnections));
  });

  // Edits in the desktop app or by hand apply to the running mock without a restart.
  const waiters: Array<() => void> = [];
  let reloadTimer: NodeJS.Timeout | null = null;
  const reload = () => {
    reloading = reloading.then(async () => {
      try {
        const snapshot = await loadReplaySnapshot(dir);
        core.replace(snapshot);
        for (const e of snapshot.errors) {
          if (!seenErrors.has(e.file + e.reason)) log(skipped(e));
          seenErrors.set(e.file + e.reason, e);
        }
        log(`tapedeck: reloaded ${snapshot.calls.length} calls`);
        live.stateChanged();
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

  // Opened once the port is ours: a mock that cannot start leaves nothing behind.
  let jsonLog: WriteStream | null = null;
  let announced: Announced | null = null;
  /** Everything opened so far; a mock that cannot start must leave nothing open (an open watch keeps the process alive). */
  const release = async (listening: boolean) => {
    if (reloadTimer) clearTimeout(reloadTimer);
    watcher?.close();
    live.close();
    await announced?.remove();
    jsonLog?.end();
    if (listening) await closeServer(server);
    await passthroughAgent?.close();
    await recorder.close();
    metrics.close();
  };
  /** The run as it ended; a report that cannot be written is said, never fatal to the exit. */
  const finish = async () => {
    await release(true);
    if (!opts.report) return;
    try {
      await writeReport(
        opts.report,
        buildReport({
          dir: await realpath(dir).catch(() => dir),
          startedAt,
          scenario: opts.scenario ?? null,
          stats,
          groups,
          unused: core.unused(),
        }),
      );
    } catch (e) {
      log(`tapedeck: cannot write --report ${opts.report}: ${(e as Error).message}`);
    }
  };
  let listening: { url: string; port: number };
  try {
    listening = await listen(server, opts.port ?? 8080, opts.host ?? '127.0.0.1');
  } catch (e) {
    await release(false);
    throw e;
  }
  const { url, port } = listening;
  live.port = port;
  let closing: Promise<void> | null = null;
  if (opts.announce !== false) {
    try {
      announced = await announce(dir, {
        url: announcedUrl(opts.host ?? '127.0.0.1', port),
        token,
        scenario: opts.scenario ?? null,
        recordMisses: opts.recordMisses === true,
      });
    } catch (e) {
      // A read-only snapshot still serves; only the desktop app cannot find this mock.
      log(`tapedeck: cannot write ${dir}/.tapedeck/mock.json: ${(e as Error).message}`);
    }
  }
  if (opts.logJson) {
    try {
      jsonLog = createWriteStream('', { fd: await open(opts.logJson, 'a') });
    } catch (e) {
      await release(true);
      throw new StartError(`cannot open --log-json ${opts.logJson}: ${(e as Error).message}`);
    }
    bus.subscribe(jsonLogSubscriber(jsonLog));
  }
  return {
    url,
    port,
    get unmatched() {
      return stats.unmatched;
    },
    get loadErrors() {
      return [...seenErrors.values()];
    },
    get misses() {
      return [...stats.misses];
    },
    get calls() {
      return pipeline.loaded.index.snapshot.calls.length;
    },
    events: { subscribe: (listener) => bus.subscribe(listener) },
    token,
    reloaded: () => new Promise<void>((r) => waiters.push(r)),
    summary: () => {
      const { upstreams } = stats.view();
      const hits = Object.values(upstreams).reduce((n, u) => n + u.matched, 0);
      const { requests, unmatched, costAvoidedUsd } = stats;
      return { requests, hits, unmatched, costAvoidedUsd };
    },
    // Idempotent: a CLI signal and a test's cleanup may both close it.
    close: () => (closing ??= finish()),
  };
}
