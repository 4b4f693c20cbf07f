/**
 * The JSON paths of a request body's places, spelled as the matcher spells a `DiffItem.path`
 * (shared/matching/diff.ts), so the diff view can find each item at its place in the tree.
 */
export type Segment = string | number;

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `$.messages[1].content`; a body whose first key is named like a part gets `$.body` first. */
export function bodyPath(segs: readonly Segment[]): string {
  if (segs.length === 0) return 'body';
  const first = segs[0];
  let out = first === 'query' || first === 'body' ? '$.body' : '$';
  for (const s of segs) out += step(s);
  return out;
}

export function queryPath(segs: readonly Segment[]): string {
  if (segs.length === 0) return 'query';
  let out = '$.query';
  for (const s of segs) out += step(s);
  return out;
}

function step(s: Segment): string {
  if (typeof s === 'number') return `[${s}]`;
  return IDENT.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
}
