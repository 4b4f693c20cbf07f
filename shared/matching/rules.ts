/**
 * Manifest rules (`tapedeck.json` → `rules`): ignore paths that apply to every call on a route.
 * A rule is folded into each call's signature before it is compiled, so precedence, sequences and
 * the exact index treat a ruled call exactly as if its file listed the paths in `ignore`
 * (docs/matching.md#rules).
 */
import { requestModelOf } from '../adapters/request-model.js';
import type { MatchRule, Signature } from '../schema.js';
import { globMatch, globSegments, literalOf } from './glob.js';

/** A rule with its globs split once, for checking many calls. */
export interface CompiledRule {
  readonly rule: MatchRule;
  readonly upstream: readonly string[];
  readonly path: readonly string[];
  readonly model: readonly string[] | null;
}

export function compileRules(rules: readonly MatchRule[] | undefined): CompiledRule[] {
  return (rules ?? []).map((rule) => ({
    rule,
    upstream: globSegments(rule.upstream),
    path: globSegments(rule.path),
    model: rule.model === undefined ? null : globSegments(rule.model),
  }));
}

/**
 * A signature part against a rule's glob. A literal part is matched by the glob; a part that is a
 * pattern itself only by the very same pattern text (or a rule of `"*"`), since whether two globs
 * overlap says nothing about which requests the call answers; a left-out part only by `"*"`.
 */
function partInScope(glob: readonly string[], raw: string, part: string | undefined): boolean {
  if (part === undefined) return raw === '*';
  const lit = literalOf(part);
  if (lit !== null) return globMatch(glob, lit);
  return raw === '*' || raw === part;
}

export function ruleApplies(
  rule: CompiledRule,
  signature: Signature,
  model: string | null,
): boolean {
  if (!partInScope(rule.upstream, rule.rule.upstream, signature.upstream)) return false;
  if (!partInScope(rule.path, rule.rule.path, signature.path)) return false;
  return rule.model === null || (model !== null && globMatch(rule.model, model));
}

/**
 * The signature with the ignore paths of every rule in scope added (each path once, after the
 * signature's own); the same object when no rule adds anything.
 */
export function withRules(
  signature: Signature,
  rules: readonly CompiledRule[],
  model: string | null,
): Signature {
  let ignore: string[] | null = null;
  for (const r of rules) {
    if (!ruleApplies(r, signature, model)) continue;
    for (const p of r.rule.ignore) {
      const current = ignore ?? signature.ignore ?? [];
      if (current.includes(p)) continue;
      ignore ??= [...(signature.ignore ?? [])];
      ignore.push(p);
    }
  }
  return ignore === null ? signature : { ...signature, ignore };
}

/** The model a recorded request names (its body's `model`, else its URL's path), or null. */
export function recordedRequestModel(request: { url: string; body?: unknown }): string | null {
  let path: string;
  try {
    path = new URL(request.url).pathname;
  } catch {
    // A hand-written file with a bare path: read it as the path.
    path = request.url.split('?')[0] ?? '';
  }
  return requestModelOf(path, request.body);
}
