/**
 * What makes a stored signature impossible to compile, found without compiling it: every `$regex`
 * that does not build and every `ignore` path that does not parse, each with its place. The schema
 * refuses such a signature, so a bad pattern is one error row on load and a refused save in the
 * editor, never a Matcher that throws while the mock starts.
 *
 * Iterative, with paths built only for an issue: the input may be nested far deeper than a
 * recursive walk survives (the depth limit is reported separately, by the schema).
 */
import { parseIgnorePath } from './json-path.js';
import { operatorOf } from './operators.js';
import { compileRegex } from './pattern.js';

export interface SignatureIssue {
  /** Relative to the signature: `["body", "messages", 0, "content"]`. */
  path: Array<string | number>;
  message: string;
}

interface Step {
  value: unknown;
  key: string | number;
  parent: Step | null;
}

function isContainer(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

function pathOf(step: Step): Array<string | number> {
  const out: Array<string | number> = [];
  for (let s: Step | null = step; s !== null; s = s.parent) out.push(s.key);
  return out.reverse();
}

/** Every `$regex` in `value` that does not compile, in document order. */
function regexIssues(value: unknown, key: string): SignatureIssue[] {
  const issues: SignatureIssue[] = [];
  if (!isContainer(value)) return issues;
  const stack: Step[] = [{ value, key, parent: null }];
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    const v = step.value;
    // Only containers are stacked: scalars cannot hold a pattern.
    const children: Step[] = [];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++)
        if (isContainer(v[i])) children.push({ value: v[i], key: i, parent: step });
    } else {
      const op = operatorOf(v);
      if (op?.kind === 'regex') {
        try {
          compileRegex(op.source, op.flags);
        } catch (e) {
          issues.push({ path: pathOf(step), message: (e as Error).message });
        }
        continue;
      }
      // `$literal` content is data, never a pattern; `$any` has nothing inside.
      if (op !== null) continue;
      const o = v as Record<string, unknown>;
      for (const k in o)
        if (Object.hasOwn(o, k) && isContainer(o[k]))
          children.push({ value: o[k], key: k, parent: step });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Step);
  }
  return issues;
}

export function signatureIssues(sig: {
  query?: unknown;
  body?: unknown;
  ignore?: readonly string[] | undefined;
}): SignatureIssue[] {
  const issues = [...regexIssues(sig.query, 'query'), ...regexIssues(sig.body, 'body')];
  sig.ignore?.forEach((p, i) => {
    try {
      parseIgnorePath(p);
    } catch (e) {
      issues.push({ path: ['ignore', i], message: (e as Error).message });
    }
  });
  return issues;
}

/**
 * True when a signature part nests deeper than `max` levels, not counting `{"$literal": …}`
 * wrappers: the recorder wraps recorded objects that look like operators, and a body it accepted
 * must give a signature that loads.
 */
export function signatureTooDeep(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (depth > max) return true;
    if (Array.isArray(v)) {
      for (const c of v) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
      continue;
    }
    const op = operatorOf(v);
    if (op?.kind === 'literal') {
      if (op.value !== null && typeof op.value === 'object') stack.push([op.value, depth]);
      continue;
    }
    for (const c of Object.values(v as Record<string, unknown>))
      if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return false;
}
