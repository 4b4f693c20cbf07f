/**
 * A mock without its transport: the loaded snapshot, the fault engine, the event bus with its
 * built-in subscribers (stats, miss groups) and the pipeline. `tapedeck mock` puts it behind a
 * socket (server.ts); `tapedeck/testing` calls it in process (testing/mock-fetch.ts). Nothing here
 * opens a port, a file watch or a metrics registry, so the in-process mock starts light.
 */
import { FaultEngine } from '../../shared/faults/engine.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../shared/limits.js';
import type { LoadError } from '../../shared/schema.js';
import { BUILTIN_UPSTREAMS } from '../../shared/upstreams.js';
import { sendJson } from '../http-util.js';
import type { ReplySink } from '../reply-sink.js';
import { buildIndex, scopedFaults } from '../replay-index.js';
import type { Timing } from '../replay.js';
import { DEFAULT_BODY_TIMEOUT_MS } from '../server-util.js';
import type { Snapshot } from '../store/snapshot-store.js';
import type { Agent } from 'undici';
import { CallRefs } from './calls.js';
import type { ControlContext } from './control.js';
import { EventBus } from './events.js';
import { MissGroups } from './miss-groups.js';
import { Pipeline, type Loaded } from './pipeline.js';
import { logSubscriber } from './report.js';
import type { MissRecorder } from './record-miss.js';
import { RetryDetector } from './retries.js';
import { TestScopes } from './test-scopes.js';
import { MockStats } from './stats.js';
import type { VendorSamples } from './vendor-samples.js';

export interface CoreOptions {
  timing?: Timing;
  /** A scenario in scenarios/NAME.json whose faults apply on top of tapedeck.json's. */
  scenario?: string;
  seed?: string;
  /** false: no fault engine at all. Default true. */
  faults?: boolean;
  upstreams?: Record<string, string>;
  maxBodyBytes?: number;
  bodyTimeoutMs?: number;
  log: (line: string) => void;
  /** Tell clients' retries apart for the stats (default true; the in-process mock serves no stats). */
  detectRetries?: boolean;
  /** One log line per request (default true). */
  logRequests?: boolean;
  passthroughAgent?: Agent | null;
  recorder?: MissRecorder | null;
  /** The vendor side second by second (`/__tapedeck/samples`); a bus subscriber as well. */
  samples?: VendorSamples | null;
}

export interface MockCore {
  readonly bus: EventBus;
  readonly stats: MockStats;
  readonly groups: MissGroups;
  readonly engine: FaultEngine | null;
  readonly pipeline: Pipeline;
  /** The `x-tapedeck-test` scopes (the control endpoints' `?test=ID`). */
  readonly tests: TestScopes;
  readonly upstreams: Readonly<Record<string, string>>;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  /** The snapshot being served (a reload replaces it). */
  snapshot(): Snapshot;
  /** Ids of the loaded calls never hit since start or reset, in seq order. */
  unused(): string[];
  /** Serves `snapshot` from now on; its scenario missing, the manifest's faults alone. */
  replace(snapshot: Snapshot): void;
  /** Forgets what was counted and starts sequences, fault counters and clocks over. */
  reset(): void;
  /** The control endpoints (/__tapedeck/*, /metrics); until set they answer 404. */
  setControls(controls: ControlContext): void;
}

export const loadedOf = (snapshot: Snapshot): Loaded => ({
  index: buildIndex(snapshot),
  refs: new CallRefs(snapshot),
});

/** The body of a failure of the mock itself, the same from both transports. */
export const mockErrorBody = (message: string) => ({
  error: { message: `Tapedeck mock error: ${message}`, type: 'tapedeck_error' },
});

/**
 * A failure of the mock itself (a bug, a snapshot that cannot load): a 500 saying why, or, once
 * the reply is under way and a status can no longer be sent, a cut, never a reply left hanging.
 */
export function failReply(res: ReplySink, message: string): void {
  if (res.headersSent) res.destroy();
  else sendJson(res, 500, mockErrorBody(message));
}

export const skipped = (e: LoadError): string =>
  `tapedeck: skipped ${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason}`;

export function createCore(first: Snapshot, opts: CoreOptions): MockCore {
  const { log } = opts;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodyTimeoutMs = opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const loaded = loadedOf(first);
  const engine =
    opts.faults === false
      ? null
      : new FaultEngine({
          seed: opts.seed ?? '1',
          scoped: scopedFaults(loaded.index.snapshot, opts.scenario),
        });
  // The built-in subscribers come first: stats are current before any other listener runs.
  const bus = new EventBus(log);
  const stats = new MockStats();
  bus.subscribe(stats.add);
  if (opts.samples) bus.subscribe(opts.samples.add);
  if (opts.logRequests !== false) bus.subscribe(logSubscriber(log));
  const groups = new MissGroups();
  const upstreams = { ...BUILTIN_UPSTREAMS, ...opts.upstreams };
  let controls: ControlContext | null = null;
  const tests = new TestScopes();
  const core: MockCore = {
    bus,
    stats,
    groups,
    engine,
    tests,
    upstreams,
    maxBodyBytes,
    bodyTimeoutMs,
    get pipeline() {
      return pipeline;
    },
    snapshot: () => pipeline.loaded.index.snapshot,
    unused: () => stats.unused(pipeline.loaded.index.entries),
    replace(snapshot) {
      pipeline.loaded = loadedOf(snapshot);
      try {
        engine?.setScoped(scopedFaults(snapshot, opts.scenario));
      } catch (e) {
        engine?.setScoped(scopedFaults(snapshot, undefined));
        log(`tapedeck: ${(e as Error).message}; serving without it until it is back`);
      }
    },
    reset() {
      pipeline.reset();
      stats.reset();
      opts.samples?.reset();
    },
    setControls(c) {
      controls = c;
    },
  };
  const pipeline: Pipeline = new Pipeline(
    loaded,
    engine,
    { maxBodyBytes, bodyTimeoutMs },
    {
      timing: opts.timing ?? { mode: 'recorded' },
      upstreams,
      passthroughAgent: opts.passthroughAgent ?? null,
      log,
    },
    () => controls,
    bus,
    stats,
    groups,
    opts.detectRetries === false ? null : new RetryDetector(),
    tests,
    opts.recorder ?? null,
    opts.samples ?? null,
  );
  return core;
}
