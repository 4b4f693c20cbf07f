/**
 * Stage 2: which recorded call answers. The matcher decides (shared/matching); this stage feeds it
 * the request in its cheapest form and says, for a miss, why (`explain`).
 */
import type { MatchResult, Positions } from '../../shared/matching/matcher.js';
import type { Entry, ReplayIndex } from '../replay-index.js';
import { BodyTooDeepError, type Parsed } from './parse.js';

export type Matched = MatchResult<Entry> | { kind: 'too_deep' };
export type MatchMiss = Extract<MatchResult<Entry>, { kind: 'miss' }>;

/** `positions`: a test's own, made by this index's matcher; the matcher's own without them. */
export function matchRequest(index: ReplayIndex, p: Parsed, positions?: Positions): Matched {
  try {
    // Repeated identical requests (load tests, retries, CI reruns) skip parsing and hashing.
    const key = p.rawKey();
    return key === null
      ? index.matcher.match(p.live(), positions)
      : index.matcher.matchRaw(key, () => p.live(), positions);
  } catch (e) {
    if (e instanceof BodyTooDeepError) return { kind: 'too_deep' };
    throw e;
  }
}

/** The miss in words, as the 404's message: the closest call and what differs from it. */
export function explain(p: Parsed, miss: MatchMiss | null): string {
  const { method, route } = p.at;
  let msg = `Tapedeck: no recorded call matches ${method} ${route.path} on upstream "${route.name}".`;
  const closest = miss?.closest ?? null;
  if (closest)
    msg += ` Closest: ${closest.id} (${closest.file}). Differences: ${miss?.diff.join('; ') || 'none listed'}.`;
  else msg += ' The snapshot has no call for this upstream.';
  return msg;
}
