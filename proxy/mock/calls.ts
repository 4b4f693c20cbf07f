/**
 * The event-side view of each recorded call, priced with the manifest's `prices` of one load: made
 * the first time the call is hit (or is a miss's closest) and kept until the next reload, so a call
 * is priced once per load, never per request, and start-up at 100,000 calls prices none of them.
 */
import { callCost, storedProviderCost, type Prices } from '../../shared/providers/cost.js';
import type { Call } from '../../shared/schema.js';
import type { Entry } from '../replay-index.js';
import type { Snapshot } from '../store/snapshot-store.js';
import type { CallRef } from './events.js';

export class CallRefs {
  private readonly refs = new Map<Call, CallRef>();
  private readonly prices: Prices | undefined;

  constructor(snapshot: Snapshot) {
    this.prices = snapshot.manifest?.prices;
  }

  of(entry: Entry): CallRef {
    let ref = this.refs.get(entry.call);
    if (!ref) this.refs.set(entry.call, (ref = this.make(entry)));
    return ref;
  }

  private make({ call, file }: Entry): CallRef {
    const { costUsd } = callCost(
      {
        provider: call.provider,
        upstream: call.upstream,
        model: call.model,
        usage: call.usage,
        byModel: call.usage?.byModel,
        providerCostUsd: storedProviderCost(call),
        recordedAt: call.recordedAt,
      },
      this.prices,
    );
    return Object.freeze({ call: call.id, seq: call.seq, file, costUsd });
  }
}
