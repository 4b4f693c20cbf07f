/**
 * A MissGroup as the mock's miss panel keeps it, built from what the Matcher says about a request
 * over the folder as the mock loads it (closest call, diff lines, items).
 */
import { buildIndex } from '../../proxy/replay-index.js';
import { loadReplaySnapshot } from '../../proxy/store/replay-load.js';
import { hashJson } from '../../shared/matching/hash.js';
import type { LiveRequest } from '../../shared/matching/live-request.js';
import { requestModelOf } from '../../shared/adapters/request-model.js';
import type { MissGroup } from '../../shared/mock-link.js';

export async function missGroupOf(dir: string, req: LiveRequest): Promise<MissGroup> {
  const r = buildIndex(await loadReplaySnapshot(dir)).matcher.match(req);
  if (r.kind !== 'miss') throw new Error(`expected a miss, the request hit ${r.call.id}`);
  const at = new Date().toISOString();
  return {
    key: String(hashJson([req.upstream, req.method, req.path, req.query, req.body ?? null])),
    count: 1,
    firstSeen: at,
    lastSeen: at,
    upstream: req.upstream,
    method: req.method,
    path: req.path,
    query: Object.keys(req.query).length > 0 ? req.query : null,
    body: req.body ?? null,
    model: requestModelOf(req.path, req.body),
    closest: r.closest && { call: r.closest.id, file: r.closest.file, seq: r.closest.seq },
    signature: r.closest?.signature ?? null,
    diff: r.diff,
    items: r.items,
    recordable: true,
  };
}
