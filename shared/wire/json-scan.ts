/**
 * Reads the spelling of a JSON text that JSON.parse throws away: each leaf's token as written,
 * each object's keys in the order sent, and the white space around the first separators. The text
 * must be valid JSON (it was parsed first); nesting is bounded by the caller (MAX_JSON_DEPTH).
 */

export interface JsonSpelling {
  /** JSON path (`$.a[0]`) → the token as written, for strings, numbers, literals and empty containers. */
  leaves: Map<string, string>;
  /** JSON path → the object's keys in the order sent (decoded). */
  keys: Map<string, string[]>;
  /** An object names a key twice: JSON.parse keeps the last, so the text cannot be rebuilt. */
  duplicateKey: boolean;
  /** Keys as written where JSON.stringify spells them differently (`"\u00e9"`, `"\u0061"`). */
  keySpellings: string[];
  /** Text between a first key and its value (`": "`), between two items (`",\n  "`), after an opening bracket. */
  colon: string | null;
  between: string | null;
  afterOpen: string | null;
}

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The `ignore`-style JSON path of a member: `.name`, or `["odd name"]` when it needs quoting. */
export function memberPath(parent: string, key: string): string {
  return SIMPLE_NAME.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export function scanJson(text: string): JsonSpelling {
  const out: JsonSpelling = {
    leaves: new Map(),
    keys: new Map(),
    duplicateKey: false,
    keySpellings: [],
    colon: null,
    between: null,
    afterOpen: null,
  };
  let i = 0;
  const ws = () => {
    const from = i;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
    return text.slice(from, i);
  };
  const stringEnd = (from: number) => {
    let j = from + 1;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === 34) return j + 1;
      else j++;
    }
    return j;
  };
  const value = (path: string): void => {
    const c = text[i];
    if (c === '{' || c === '[') {
      const start = i;
      i++;
      const open = ws();
      const close = c === '{' ? '}' : ']';
      if (text[i] === close) {
        i++;
        out.leaves.set(path, text.slice(start, i));
        return;
      }
      out.afterOpen ??= open;
      const keys: string[] = [];
      const seen = new Set<string>();
      for (let n = 0; ; n++) {
        let childPath: string;
        if (c === '{') {
          const keyStart = i;
          i = stringEnd(i);
          const rawKey = text.slice(keyStart, i);
          const key = JSON.parse(rawKey) as string;
          if (JSON.stringify(key) !== rawKey) out.keySpellings.push(rawKey);
          if (seen.has(key)) out.duplicateKey = true;
          seen.add(key);
          keys.push(key);
          const gapStart = i;
          ws();
          i++; // ':'
          ws();
          out.colon ??= text.slice(gapStart, i);
          childPath = memberPath(path, key);
        } else childPath = `${path}[${n}]`;
        value(childPath);
        const gapStart = i;
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          out.between ??= text.slice(gapStart, i);
          continue;
        }
        i++; // the closing bracket
        break;
      }
      if (c === '{') out.keys.set(path, keys);
      return;
    }
    const start = i;
    if (c === '"') i = stringEnd(i);
    else {
      while (i < text.length && !/[\s,\]}]/.test(text[i] as string)) i++;
    }
    out.leaves.set(path, text.slice(start, i));
  };
  ws();
  value('$');
  return out;
}
