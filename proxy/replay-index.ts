/** What the mock server answers from: the valid calls of a snapshot, matched and prepared. */
import { performance } from 'node:perf_hooks';
import { sourcesOf, type FaultSource } from '../shared/faults/engine.js';
import { matcherOptionsOf } from '../shared/matching/manifest-options.js';
import { Matcher } from '../shared/matching/matcher.js';
import { recordedRequestModel } from '../shared/matching/rules.js';
import { Redactor } from '../shared/redact.js';
import type { Call } from '../shared/schema.js';
import { prepare, type Prepared } from './replay.js';
import { ReplayCall } from './store/replay-load.js';
import type { LoadedCall, Snapshot } from './store/snapshot-store.js';

/**
 * A call as the matcher sees it. `call` is the whole call file, read from disk on first use when
 * the snapshot was opened with `loadReplaySnapshot` (see replay-load.ts).
 */
export class Entry {
  readonly id: string;
  readonly seq: number;
  readonly signature: Call['signature'];
  readonly file: string;
  /** What the recorded request names as its model; manifest rules scoped by model read it. */
  readonly model: string | null;
  /** The call's own faults, or null: the common case costs nothing per request. */
  readonly faults: FaultSource[] | null;
  prepared?: Prepared;

  constructor(private readonly loaded: LoadedCall) {
    const c = loaded instanceof ReplayCall ? loaded.record : loaded.call;
    this.id = c.id;
    this.seq = c.seq;
    this.signature = c.signature;
    this.file = loaded.file;
    this.model =
      loaded instanceof ReplayCall
        ? loaded.record.model
        : recordedRequestModel(loaded.call.request);
    this.faults = c.faults?.length ? sourcesOf(c.faults, `call:${c.id}`) : null;
  }

  get call(): Call {
    return this.loaded.call;
  }
}

export interface ReplayIndex {
  snapshot: Snapshot;
  matcher: Matcher<Entry>;
  /** The calls as the matcher holds them, in load order. */
  entries: readonly Entry[];
  /** The snapshot's redaction, as the matcher applies it (also for bodies kept from misses). */
  redact: Redactor;
}

export class ScenarioMissingError extends Error {}

export function buildIndex(snapshot: Snapshot): ReplayIndex {
  const entries = snapshot.calls.map((c) => new Entry(c));
  const options = matcherOptionsOf(snapshot.manifest);
  const matcher = new Matcher(entries, options);
  prepareInSlices(snapshot.dir, matcher);
  return { snapshot, matcher, entries, redact: options.redact ?? Redactor.builtin };
}

/** One slice of background work: short enough that a request arriving meanwhile barely waits. */
const SLICE_MS = 3;
const latest = new Map<string, Matcher<Entry>>();

/**
 * Files the closest-call indexes after start-up, between requests, so even the first miss is
 * cheap; a newer index of the same folder (a reload) takes over and the old one stops.
 */
function prepareInSlices(dir: string, matcher: Matcher<Entry>): void {
  latest.set(dir, matcher);
  const step = (): void => {
    if (latest.get(dir) !== matcher) return;
    const until = performance.now() + SLICE_MS;
    if (matcher.prepareMisses(() => performance.now() > until)) {
      latest.delete(dir);
      return;
    }
    setImmediate(step).unref();
  };
  setImmediate(step).unref();
}

/** Faults applied by scope: tapedeck.json's, then the chosen scenario's. */
export function scopedFaults(snapshot: Snapshot, scenario: string | undefined): FaultSource[] {
  const out = sourcesOf(snapshot.manifest?.faults, 'manifest');
  if (scenario !== undefined) {
    const s = snapshot.scenarios[scenario];
    if (!s) {
      const known = Object.keys(snapshot.scenarios);
      throw new ScenarioMissingError(
        `no scenario "${scenario}" in ${snapshot.dir}/scenarios/ (${known.length ? `found: ${known.join(', ')}` : 'none found'})`,
      );
    }
    out.push(...sourcesOf(s.faults, `scenario:${scenario}`));
  }
  return out;
}

/** Prepared on first use: start-up with 100,000 calls must not serialize every reply up front. */
export function preparedOf(entry: Entry): Prepared {
  entry.prepared ??= prepare(entry.call);
  return entry.prepared;
}
