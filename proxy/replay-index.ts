/** What the mock server answers from: the valid calls of a snapshot, matched and prepared. */
import { sourcesOf, type FaultSource } from '../shared/faults/engine.js';
import { Matcher } from '../shared/matching/matcher.js';
import { Redactor } from '../shared/redact.js';
import type { Call } from '../shared/schema.js';
import { prepare, type Prepared } from './replay.js';
import type { Snapshot } from './store/snapshot-store.js';

export interface Entry {
  id: string;
  seq: number;
  signature: Call['signature'];
  call: Call;
  file: string;
  /** The call's own faults, or null: the common case costs nothing per request. */
  faults: FaultSource[] | null;
  prepared?: Prepared;
}

export interface ReplayIndex {
  snapshot: Snapshot;
  matcher: Matcher<Entry>;
}

export class ScenarioMissingError extends Error {}

export function buildIndex(snapshot: Snapshot): ReplayIndex {
  const entries: Entry[] = snapshot.calls.map(({ call, file }) => ({
    id: call.id,
    seq: call.seq,
    signature: call.signature,
    call,
    file,
    faults: call.faults?.length ? sourcesOf(call.faults, `call:${call.id}`) : null,
  }));
  const manifest = snapshot.manifest;
  // The recorder's rules, seen from the live side: both sides are redacted before comparing.
  const redact = manifest?.redact ? new Redactor(manifest.redact) : Redactor.builtin;
  const matcher = new Matcher(entries, { normalizers: manifest?.normalizers ?? [], redact });
  return { snapshot, matcher };
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
