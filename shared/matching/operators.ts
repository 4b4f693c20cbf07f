/**
 * The object forms a signature may use in place of a value. An object counts as an operator only
 * when it has exactly the operator's shape; anything else is an ordinary object compared key by key.
 */
import { isPlainObject } from './canonical.js';

export type Operator =
  | { kind: 'any' }
  | { kind: 'regex'; source: string; flags: string }
  | { kind: 'literal'; value: unknown };

export function hasOperatorKey(v: Record<string, unknown>): boolean {
  return Object.hasOwn(v, '$any') || Object.hasOwn(v, '$literal') || Object.hasOwn(v, '$regex');
}

export function operatorOf(v: unknown): Operator | null {
  // Most objects are not operators; decide that without listing their keys.
  if (!isPlainObject(v) || !hasOperatorKey(v)) return null;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === '$any' && v.$any === true) return { kind: 'any' };
  if (keys.length === 1 && keys[0] === '$literal') return { kind: 'literal', value: v.$literal };
  if (
    typeof v.$regex === 'string' &&
    (keys.length === 1 || (keys.length === 2 && typeof v.$flags === 'string'))
  ) {
    return { kind: 'regex', source: v.$regex, flags: typeof v.$flags === 'string' ? v.$flags : '' };
  }
  return null;
}
