/**
 * The small JSONPath subset `ignore` accepts: `$`, `.name`, `['name']`, `["name"]`, `[3]`, and
 * `.*` / `[*]` for every key or element. Paths are relative to the body; a leading `body` or
 * `query` segment selects that part explicitly.
 */

export const EVERY = Symbol('every');
export type PathSegment = string | number | typeof EVERY;

export interface IgnorePath {
  target: 'body' | 'query';
  segments: PathSegment[];
}

export function parseJsonPath(path: string): PathSegment[] {
  const fail = (why: string): never => {
    throw new Error(`invalid ignore path ${JSON.stringify(path)}: ${why}`);
  };
  if (!path.startsWith('$')) fail('it must start with "$"');
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const name = path.slice(i + 1, j);
      if (name === '') fail(`empty name at position ${i}`);
      segments.push(name === '*' ? EVERY : name);
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      const q = path[i + 1];
      if (q === '"' || q === "'") {
        const end = findQuoteEnd(path, i + 2, q);
        if (end < 0 || path[end + 1] !== ']') fail(`unterminated quoted name at position ${i}`);
        const raw = path.slice(i + 2, end);
        segments.push(q === '"' ? parseDoubleQuoted(raw, fail) : raw.replace(/\\(.)/g, '$1'));
        i = end + 2;
      } else {
        if (close < 0) fail(`missing "]" after position ${i}`);
        const inner = path.slice(i + 1, close).trim();
        if (inner === '*') segments.push(EVERY);
        else if (/^\d+$/.test(inner)) segments.push(Number(inner));
        else fail(`"[${inner}]" is neither an index, "*" nor a quoted name`);
        i = close + 1;
      }
    } else {
      fail(`unexpected ${JSON.stringify(c)} at position ${i}`);
    }
  }
  return segments;
}

function parseDoubleQuoted(raw: string, fail: (why: string) => never): string {
  try {
    return JSON.parse('"' + raw + '"') as string;
  } catch {
    return fail(`bad escape in "${raw}"`);
  }
}

function findQuoteEnd(s: string, from: number, quote: string): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}

export function parseIgnorePath(path: string): IgnorePath {
  const segments = parseJsonPath(path);
  const head = segments[0];
  if (head === 'body' || head === 'query') return { target: head, segments: segments.slice(1) };
  return { target: 'body', segments };
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * A place in the body or the query written as `ignore` takes it and a miss report names it
 * (`$.messages[1].content`, `$.query.t`; a body key named like a part gets `$.body` first). The
 * one spelling the matcher's diff, the fixes and the desktop's diff view share. No segments: the
 * part's name.
 */
export function formatPath(part: 'body' | 'query', segs: readonly (string | number)[]): string {
  if (segs.length === 0) return part;
  const first = segs[0];
  let out = part === 'query' ? '$.query' : first === 'query' || first === 'body' ? '$.body' : '$';
  for (const s of segs)
    out += typeof s === 'number' ? `[${s}]` : IDENT.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  return out;
}
