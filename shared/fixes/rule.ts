/**
 * "A rule for every call on this route": the ignore paths of a miss's differences, added to
 * `tapedeck.json`'s rules for its upstream + path (+ model), so every call there stops comparing
 * them (docs/fixes.md).
 */
import { escapeLiteral } from '../matching/glob.js';
import type { MissGroup } from '../mock-link.js';
import { FORMAT, type Manifest, type MatchRule } from '../schema.js';
import { lengthChange, pathText, placeOf, within, type Place } from './paths.js';

export interface RuleFix {
  manifest: Manifest;
  changes: string[];
}

/** The rule's ignore paths for a miss: each differing place, an array for a length change. */
export function rulePaths(group: Pick<MissGroup, 'items'>): { paths: string[]; notes: string[] } {
  const places: Place[] = [];
  const notes: string[] = [];
  for (const item of group.items) {
    const place = placeOf(item);
    if (place === null) {
      notes.push(
        `${item.part}: differs (${JSON.stringify(item.recorded)} / ${JSON.stringify(item.request)}); a rule only ignores body and query values, so this stays a difference`,
      );
      continue;
    }
    places.push(lengthChange(item, place) ?? place);
  }
  // A place inside another one is already covered by it.
  const kept = places.filter(
    (p, i) => !places.some((q, j) => j !== i && within(p, q) && (!within(q, p) || j < i)),
  );
  return { paths: kept.map(pathText), notes };
}

export function ruleFor(manifest: Manifest | null, group: MissGroup, byModel: boolean): RuleFix {
  const base: Manifest = manifest ?? { format: FORMAT };
  const { paths, notes } = rulePaths(group);
  const changes = [...notes];
  const scope: Pick<MatchRule, 'upstream' | 'path' | 'model'> = {
    // The rule's fields are globs: a literal star in a name must not become one.
    upstream: escapeLiteral(group.upstream),
    path: escapeLiteral(group.path),
  };
  if (byModel) {
    if (group.model !== null) scope.model = escapeLiteral(group.model);
    else changes.push('the request names no model, so the rule covers every model on the route');
  }
  const label = `${group.upstream} ${group.path}${scope.model !== undefined ? ` (model ${group.model})` : ''}`;
  if (paths.length === 0) {
    changes.push(`nothing in this miss that a rule can ignore; tapedeck.json is unchanged`);
    return { manifest: base, changes };
  }

  const rules = [...(base.rules ?? [])];
  const at = rules.findIndex(
    (r) => r.upstream === scope.upstream && r.path === scope.path && r.model === scope.model,
  );
  if (at >= 0) {
    const rule = rules[at] as MatchRule;
    const added = paths.filter((p) => !rule.ignore.includes(p));
    rules[at] = { ...rule, ignore: [...rule.ignore, ...added] };
    for (const p of added) changes.push(`rules[${at}] ${label}: ignore ${p}`);
    if (added.length === 0)
      changes.push(`rules[${at}] ${label} already ignores ${paths.join(', ')}`);
  } else {
    rules.push({ ...scope, ignore: paths });
    for (const p of paths) changes.push(`rules[${rules.length - 1}] ${label}: ignore ${p}`);
  }
  return { manifest: { ...base, rules }, changes };
}
