/**
 * What the mock's replies stood in for: the tokens and cost of every call it replayed, derived as
 * `inspect` derives them (the manifest's current prices, `callCost`), with the usage of one OpenAI
 * response counted once however often a client polls it (shared/usage-once.ts). Shown under
 * `replayed` in `/__tapedeck/stats`.
 */
import type { Prices } from '../../shared/providers/cost.js';
import type { Call } from '../../shared/schema.js';
import { summarizeCall, totalsOf, type CallSummary, type Totals } from '../../shared/totals.js';
import { countUsageOnce } from '../../shared/usage-once.js';

interface Replayed {
  call: Call;
  file: string;
  times: number;
}

export class ReplayedUsage {
  // By call id: a reload brings new objects for the same calls.
  private readonly byId = new Map<string, Replayed>();

  /** Notes one replay of `call`; 1, the count of matched requests it adds. */
  hit(call: Call, file: string): 1 {
    const seen = this.byId.get(call.id);
    if (seen) {
      seen.call = call;
      seen.file = file;
      seen.times += 1;
    } else this.byId.set(call.id, { call, file, times: 1 });
    return 1;
  }

  reset(): void {
    this.byId.clear();
  }

  /** The ids of the calls hit. */
  hitIds(): ReadonlySet<string> {
    return new Set(this.byId.keys());
  }

  /** Each call hit, with its file (as of its last hit) and how often. */
  hits(): Array<{ call: string; file: string; hits: number }> {
    return [...this.byId.values()].map((h) => ({ call: h.call.id, file: h.file, hits: h.times }));
  }

  /** Computed when asked: the stats are read rarely, replies are sent often. */
  totals(prices: Prices | undefined): Totals {
    const hits = [...this.byId.values()];
    const rows: CallSummary[] = [
      ...countUsageOnce(hits.map((h) => summarizeCall(h.call, h.file, prices))),
    ];
    const times = hits.map((h) => h.times);
    hits.forEach((h, i) => {
      const row = rows[i];
      if (!row || row.responseId === null || h.times === 1) return;
      // A response's usage counts once, however often its call was replayed: the replays after
      // the first count as calls whose usage is counted in it.
      times[i] = 1;
      rows.push({ ...row, usageCountedIn: row.usageCountedIn ?? row.id });
      times.push(h.times - 1);
    });
    return totalsOf(rows, times);
  }
}
