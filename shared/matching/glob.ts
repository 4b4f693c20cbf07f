/**
 * Globs in signatures: a string containing `*` is a pattern in which `*` matches any run of
 * characters, `\*` is a literal star and `\\` a literal backslash. A string without `*` is always
 * literal, so ordinary text with backslashes needs no escaping.
 */

/** The literal pieces between unescaped stars; one piece means the string is a literal. */
export function globSegments(pattern: string): string[] {
  if (!pattern.includes('\\')) return pattern.split('*');
  const segments: string[] = [];
  let current = '';
  let from = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === BACKSLASH) {
      const next = pattern.charCodeAt(i + 1);
      if (next === STAR || next === BACKSLASH) {
        current += pattern.slice(from, i);
        from = i + 1;
        i++;
      }
    } else if (c === STAR) {
      segments.push(current + pattern.slice(from, i));
      current = '';
      from = i + 1;
    }
  }
  segments.push(current + pattern.slice(from));
  return segments;
}

const BACKSLASH = 0x5c;
const STAR = 0x2a;

/** The string a stored value denotes, or null when it is a pattern (unescaped `*`). */
export function literalOf(s: string): string | null {
  if (!s.includes('*')) return s;
  if (s === '*') return null;
  const segments = globSegments(s);
  return segments.length === 1 ? (segments[0] as string) : null;
}

/** Leftmost matching of the middle pieces is enough: stars only, no other metacharacters. */
export function globMatch(segments: readonly string[], s: string): boolean {
  const n = segments.length;
  const first = segments[0] ?? '';
  if (n === 1) return s === first;
  const last = segments[n - 1] ?? '';
  if (s.length < first.length + last.length) return false;
  if (!s.startsWith(first) || !s.endsWith(last)) return false;
  let pos = first.length;
  const end = s.length - last.length;
  for (let i = 1; i < n - 1; i++) {
    const piece = segments[i] ?? '';
    if (piece === '') continue;
    const at = s.indexOf(piece, pos);
    if (at < 0 || at + piece.length > end) return false;
    pos = at + piece.length;
  }
  return true;
}

/** Makes a literal string safe to store in a signature (it is read back as the same literal). */
export function escapeLiteral(s: string): string {
  return s.includes('*') ? escapeGlobPiece(s) : s;
}

/**
 * Escapes text that becomes part of a glob, e.g. `escapeGlobPiece(prefix) + '*'`. Unlike
 * `escapeLiteral` it always escapes: once the result holds a star, every backslash counts.
 */
export function escapeGlobPiece(s: string): string {
  return s.replace(/[\\*]/g, (m) => '\\' + m);
}
