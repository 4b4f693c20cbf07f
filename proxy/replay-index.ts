/** What the mock server answers from: the valid calls of a snapshot, matched and prepared. */
import { Matcher } from '../shared/matching/matcher.js';
import type { Call } from '../shared/schema.js';
import { prepare, type Prepared } from './replay.js';
import type { Snapshot } from './store/snapshot-store.js';

export interface Entry {
  id: string;
  seq: number;
  signature: Call['signature'];
  call: Call;
  file: string;
  prepared?: Prepared;
}

export interface ReplayIndex {
  snapshot: Snapshot;
  matcher: Matcher<Entry>;
}

export function buildIndex(snapshot: Snapshot): ReplayIndex {
  const entries: Entry[] = snapshot.calls.map(({ call, file }) => ({
    id: call.id,
    seq: call.seq,
    signature: call.signature,
    call,
    file,
  }));
  const matcher = new Matcher(entries, { normalizers: snapshot.manifest?.normalizers ?? [] });
  return { snapshot, matcher };
}

/** Prepared on first use: start-up with 100,000 calls must not serialize every reply up front. */
export function preparedOf(entry: Entry): Prepared {
  entry.prepared ??= prepare(entry.call);
  return entry.prepared;
}
