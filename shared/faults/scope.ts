import { globMatch, globSegments } from '../matching/glob.js';
import type { Fault } from '../schema.js';

/** What a fault's scope is compared with. */
export interface RequestFacts {
  upstream: string;
  provider: string;
  model: string | null;
  path: string;
}

// Scope patterns come from a handful of files and are checked on every request: split them once.
const segmentsOf = new Map<string, string[]>();

function glob(pattern: string, value: string | null): boolean {
  if (value === null) return false;
  let segments = segmentsOf.get(pattern);
  if (!segments) {
    segments = globSegments(pattern);
    if (segmentsOf.size > 1000) segmentsOf.clear();
    segmentsOf.set(pattern, segments);
  }
  return globMatch(segments, value);
}

/** Every scope field given must match; `model` and `path` are globs (`claude-*`, `/v1/*`). */
export function inScope(scope: Fault['scope'], facts: RequestFacts): boolean {
  if (!scope) return true;
  if (scope.upstream !== undefined && scope.upstream !== facts.upstream) return false;
  if (scope.provider !== undefined && scope.provider !== facts.provider) return false;
  if (scope.model !== undefined && !glob(scope.model, facts.model)) return false;
  if (scope.path !== undefined && !glob(scope.path, facts.path)) return false;
  return true;
}
