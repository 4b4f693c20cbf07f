/**
 * `createMockFetch({ snapshot })`: the snapshot served by the mock's own core (proxy/mock/core.ts)
 * with no socket, so matching, sequences, wildcards, rules and faults are those of `tapedeck mock`.
 * The folder loads once, in the background; requests wait for it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { LoadError } from '../shared/schema.js';
import { BUILTIN_UPSTREAMS, type Route } from '../shared/upstreams.js';
import { createCore, skipped, type MockCore } from '../proxy/mock/core.js';
import type { FetchReply } from '../proxy/mock/fetch-reply.js';
import type { Timing } from '../proxy/replay.js';
import { loadReplaySnapshot } from '../proxy/store/replay-load.js';
import type { MockMiss, Replier } from './replier.js';
import { MAX_MISSES, missOf, unmatchedOf } from '../proxy/mock/stats.js';

export interface SnapshotOptions {
  timing: Timing;
  scenario?: string;
  seed?: string;
  upstreams?: Record<string, string>;
  maxBodyBytes?: number;
  log: (line: string) => void;
}

export class SnapshotReplier implements Replier {
  readonly upstreams: Readonly<Record<string, string>>;
  readonly ready: Promise<void>;
  private core: MockCore | null = null;
  private kept: MockMiss[] = [];
  private errors: readonly LoadError[] = [];

  constructor(dir: string, opts: SnapshotOptions) {
    this.upstreams = { ...BUILTIN_UPSTREAMS, ...opts.upstreams };
    this.ready = loadReplaySnapshot(dir).then((snapshot) => {
      for (const e of snapshot.errors) opts.log(skipped(e));
      this.errors = snapshot.errors;
      const core = createCore(snapshot, {
        timing: opts.timing,
        scenario: opts.scenario,
        seed: opts.seed,
        maxBodyBytes: opts.maxBodyBytes,
        upstreams: this.upstreams as Record<string, string>,
        log: opts.log,
        logRequests: false,
        detectRetries: false,
      });
      core.bus.subscribe((e) => {
        const unmatched = unmatchedOf(e);
        if (!unmatched) return;
        // The stats' own entry, without its time, with the test the event names.
        const { at: _at, ...miss } = missOf(unmatched);
        this.kept.push({ ...miss, test: e.request.test ?? null });
        if (this.kept.length > MAX_MISSES) this.kept.shift();
      });
      this.core = core;
    });
    // Said to whoever awaits a request or `ready`; never an unhandled rejection of its own.
    this.ready.catch(() => undefined);
  }

  get loadErrors(): readonly LoadError[] {
    return this.errors;
  }

  async answer(
    route: Route,
    method: string,
    headers: IncomingHttpHeaders,
    raw: Buffer,
    reply: FetchReply,
  ): Promise<void> {
    await this.ready;
    return (this.core as MockCore).pipeline.handleRead(method, route, headers, raw, reply);
  }

  misses(test?: string): MockMiss[] {
    return this.kept.filter((m) => test === undefined || m.test === test);
  }

  reset(test?: string): void {
    if (test === undefined) {
      this.core?.reset();
      this.kept = [];
      return;
    }
    this.core?.pipeline.resetTest(test);
    this.kept = this.kept.filter((m) => m.test !== test);
  }
}
