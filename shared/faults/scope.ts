import { globMatch, globSegments } from '../matching/glob.js';
import type { Fault } from '../schema.js';

/** What a fault's scope is compared with. */
export interface RequestFacts {
  upstream: string;
  provider: string;
  model: string | null;
  path: string;
}

function glob(pattern: string, value: string | null): boolean {
  return value !== null && globMatch(globSegments(pattern), value);
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
