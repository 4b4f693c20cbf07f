/**
 * Numbered migrations of the snapshot format, after Mockoon's: each one turns a file of format
 * tapedeck/(id-1) into tapedeck/id, so `lastMigration` is the format this Tapedeck writes. Every
 * reader runs them on the files it opens (an old folder keeps working unchanged on disk), and
 * `tapedeck migrate` writes the result back. Pure: a migration gets a parsed file and returns
 * the upgraded copy; it never throws on a file it does not understand, the schema judges that.
 */
import { setOwn } from './matching/canonical.js';
import { literalOf } from './matching/glob.js';
import { routeOfCall } from './adapters/registry.js';
import { BUILTIN_UPSTREAMS } from './upstreams.js';

export type DocKind = 'call' | 'manifest';
type Doc = Record<string, unknown>;

export interface Migration {
  id: number;
  description: string;
  up(doc: Doc, kind: DocKind): Doc;
}

/** The number of `tapedeck/N`, or null for anything else. */
export function formatVersion(format: unknown): number | null {
  if (typeof format !== 'string') return null;
  const m = /^tapedeck\/(\d+)$/.exec(format);
  return m ? Number(m[1]) : null;
}

function isDoc(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The path after the upstream name: the signature's when it is no pattern, else the URL's. */
function routePath(call: Doc): string | null {
  const sig = call['signature'];
  const sigPath = isDoc(sig) ? sig['path'] : undefined;
  if (typeof sigPath === 'string') {
    const literal = literalOf(sigPath);
    if (literal !== null && literal.startsWith('/')) return literal;
  }
  const request = call['request'];
  const url = isDoc(request) ? request['url'] : undefined;
  if (typeof url !== 'string') return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  // A built-in upstream's base URL may carry a prefix (OpenRouter's /api) that is not part of the route.
  const base =
    typeof call['upstream'] === 'string' ? BUILTIN_UPSTREAMS[call['upstream']] : undefined;
  const prefix = base ? new URL(base).pathname.replace(/\/+$/, '') : '';
  const p = parsed.pathname;
  return prefix && p.startsWith(prefix + '/') ? p.slice(prefix.length) : p;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 2,
    description:
      'tapedeck/2: each call names its route (API family, api, path after the upstream name); replies may carry the format that replays their exact bytes',
    up(doc, kind) {
      if (kind !== 'call' || doc['route'] !== undefined) return doc;
      const path = routePath(doc);
      if (path === null) return doc;
      // The registry's reading of a v1 call: the path's family, else the `api` the v1 recorder wrote.
      const api = typeof doc['api'] === 'string' ? doc['api'] : '';
      const route = routeOfCall({ api, request: { url: '' }, signature: { path } });
      // `route` goes after `model`, where the recorder writes it, so a migrated file reads the same.
      const out: Doc = {};
      // setOwn: a `__proto__` key must stay a key, for the schema to refuse it as before.
      for (const [k, v] of Object.entries(doc)) {
        setOwn(out, k, v);
        if (k === 'model') out['route'] = route;
      }
      out['route'] ??= route;
      return out;
    },
  },
];

export const lastMigration: number = MIGRATIONS[MIGRATIONS.length - 1]?.id ?? 1;

export interface Migrated {
  doc: unknown;
  /** The version the file had (a call file without `format` counts as tapedeck/1). */
  from: number;
  /** The migrations applied, in order; empty when the file was current (or newer, or no object). */
  applied: Migration[];
}

/** `doc` upgraded to `lastMigration`; a file newer than that, or not an object, is left as it is. */
export function migrate(doc: unknown, kind: DocKind): Migrated {
  if (!isDoc(doc)) return { doc, from: lastMigration, applied: [] };
  const version = formatVersion(doc['format']) ?? (doc['format'] === undefined ? 1 : null);
  if (version === null || version >= lastMigration) {
    return { doc, from: version ?? lastMigration, applied: [] };
  }
  let out: Doc = doc;
  const applied: Migration[] = [];
  for (const m of MIGRATIONS) {
    if (m.id <= version) continue;
    out = { ...m.up(out, kind) };
    // The format key keeps its place (first in files the recorder writes), or leads when absent.
    out =
      'format' in out
        ? { ...out, format: `tapedeck/${m.id}` }
        : { format: `tapedeck/${m.id}`, ...out };
    applied.push(m);
  }
  return { doc: out, from: version, applied };
}
