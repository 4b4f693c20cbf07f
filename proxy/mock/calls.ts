/**
 * The event-side view of each recorded call, made when a snapshot loads or reloads: a hit then
 * costs one map lookup, never a price computation or an object per request.
 */
import { callCost, storedProviderCost } from '../../shared/providers/cost.js';
import type { Call } from '../../shared/schema.js';
import type { Snapshot } from '../store/snapshot-store.js';
import type { CallRef } from './events.js';

export type CallRefs = ReadonlyMap<Call, CallRef>;

/** Priced with the manifest's `prices` as they are in this load (a reload re-prices). */
export function callRefs(snapshot: Snapshot): CallRefs {
  const prices = snapshot.manifest?.prices;
  const out = new Map<Call, CallRef>();
  for (const { call, file } of snapshot.calls) {
    const { costUsd } = callCost(
      {
        provider: call.provider,
        upstream: call.upstream,
        model: call.model,
        usage: call.usage,
        providerCostUsd: storedProviderCost(call),
        recordedAt: call.recordedAt,
      },
      prices,
    );
    out.set(call, Object.freeze({ call: call.id, seq: call.seq, file, costUsd }));
  }
  return out;
}

/** The ref of a call this load does not know (cannot happen for an index built from it). */
export function refOf(
  refs: CallRefs,
  entry: { call: Call; id: string; seq: number; file: string },
): CallRef {
  return (
    refs.get(entry.call) ?? { call: entry.id, seq: entry.seq, file: entry.file, costUsd: null }
  );
}
