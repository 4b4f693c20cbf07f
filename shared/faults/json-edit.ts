/** Read, delete and retype values at a JSON path (`$.choices[0].message`), on copies. */
import { EVERY, parseJsonPath, type PathSegment } from '../matching/json-path.js';

type Json = unknown;

function children(
  node: Json,
  seg: PathSegment,
): Array<[Record<string, Json> | Json[], string | number]> {
  if (node === null || typeof node !== 'object') return [];
  if (seg === EVERY) {
    return Array.isArray(node)
      ? node.map((_, i) => [node, i])
      : Object.keys(node).map((k) => [node as Record<string, Json>, k]);
  }
  if (Array.isArray(node)) return typeof seg === 'number' && seg < node.length ? [[node, seg]] : [];
  return typeof seg === 'string' && Object.hasOwn(node, seg)
    ? [[node as Record<string, Json>, seg]]
    : [];
}

/** The parents and keys a path names in `root` (several with `*`). */
function locate(
  root: Json,
  segments: readonly PathSegment[],
): Array<[Record<string, Json> | Json[], string | number]> {
  if (segments.length === 0) return [];
  let nodes: Json[] = [root];
  for (const seg of segments.slice(0, -1)) {
    nodes = nodes.flatMap((n) =>
      children(n, seg).map(([p, k]) => (p as Record<string | number, Json>)[k]),
    );
  }
  const last = segments[segments.length - 1] as PathSegment;
  return nodes.flatMap((n) => children(n, last));
}

export function hasPath(root: Json, path: string): boolean {
  return locate(root, parseJsonPath(path)).length > 0;
}

/** A deep copy without the value(s) at `path`; null when the path names nothing. */
export function dropAt(root: Json, path: string): Json | null {
  const copy = structuredClone(root);
  const found = locate(copy, parseJsonPath(path));
  if (found.length === 0) return null;
  // Delete from the end so array indices stay valid.
  for (const [parent, key] of found.reverse()) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  }
  return copy;
}

/** A value of another JSON type, as a model that ignores its schema would send. */
export function wrongTypeOf(v: Json): Json {
  if (typeof v === 'string') return 42;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 0;
  if (Array.isArray(v)) return {};
  return JSON.stringify(v);
}

/** A deep copy with the value(s) at `path` replaced by a value of the wrong type; null when none. */
export function retypeAt(root: Json, path: string): Json | null {
  const copy = structuredClone(root);
  const found = locate(copy, parseJsonPath(path));
  if (found.length === 0) return null;
  for (const [parent, key] of found) {
    const p = parent as Record<string | number, Json>;
    p[key] = wrongTypeOf(p[key]);
  }
  return copy;
}
