/**
 * Why a signature does not match a request: the same walk either counts differences (with a
 * budget, to pick the closest call cheaply) or writes short readable lines for the miss report.
 */
import type { DiffItem } from '../mock-link.js';
import { isPlainObject } from './canonical.js';
import type { CompiledSignature } from './compile-signature.js';
import { globMatch } from './glob.js';
import { formatPath } from './json-path.js';
import type { LiveView } from './live-view.js';
import type { Node } from './pattern.js';

const MAX_LINES = 10;
/** Enough for a miss panel to show every changed message of a long conversation. */
const MAX_ITEMS = 100;
const COUNT_CAP = 1000;
const SHORT = 40;

type Part = 'upstream' | 'method' | 'path' | 'query' | 'body';
type Seg = string | number;

class Walk {
  count = 0;
  limit: number;
  readonly lines: string[] | null;
  readonly items: DiffItem[] | null;
  /** A stack with its own depth: truncating an array's length is slow in V8. */
  private readonly segs: Seg[] = [];
  private depth = 0;
  private part: Part = 'body';

  constructor(limit: number, withLines: boolean) {
    this.limit = limit;
    this.lines = withLines ? [] : null;
    this.items = withLines ? [] : null;
  }

  /** Ready to count again; the closest-call search runs one walk per candidate. */
  restart(limit: number): void {
    this.count = 0;
    this.limit = limit;
    this.depth = 0;
  }

  get done(): boolean {
    return this.count > this.limit;
  }

  enter(part: Part): void {
    this.part = part;
    this.depth = 0;
  }

  push(seg: Seg): void {
    this.segs[this.depth++] = seg;
  }

  pop(): void {
    this.depth--;
  }

  /** `node` null: the recorded side is the literal `lit`. Text is only built when lines are kept. */
  missing(node: Node | null, lit: unknown): void {
    if (!this.counted()) return;
    this.item('missing', node, lit, undefined, false);
    if (this.wantsLine()) this.line(`recorded ${describe(node, lit)}, missing in request`);
  }

  differs(node: Node | null, lit: unknown, value: unknown): void {
    if (!this.counted()) return;
    this.item('differs', node, lit, value, true);
    if (!this.wantsLine()) return;
    if (node === null && typeof lit === 'string' && typeof value === 'string') {
      const [a, b] = showPair(lit, value);
      this.line(`recorded ${a} ≠ request ${b}`);
    } else {
      this.line(`recorded ${describe(node, lit)} ≠ request ${show(value)}`);
    }
  }

  extra(value: unknown): void {
    if (!this.counted()) return;
    this.item('extra', null, undefined, value, true);
    if (this.wantsLine()) this.line(`not in recording (request ${show(value)})`);
  }

  /** Counts one difference; true when its line or item is wanted. */
  private counted(): boolean {
    this.count++;
    return this.lines !== null;
  }

  private wantsLine(): boolean {
    return this.lines !== null && this.lines.length < MAX_LINES;
  }

  private item(
    kind: DiffItem['kind'],
    node: Node | null,
    lit: unknown,
    value: unknown,
    present: boolean,
  ): void {
    if (this.items === null || this.items.length >= MAX_ITEMS) return;
    const out: DiffItem = { part: this.part, path: this.label(), kind };
    const recorded = node === null ? lit : recordedValue(node);
    if (recorded !== undefined) out.recorded = recorded;
    if (present) out.request = value;
    this.items.push(out);
  }

  private line(text: string): void {
    this.lines?.push(`${this.label()}: ${text}`);
  }

  private label(): string {
    if (this.part !== 'body' && this.part !== 'query') return this.part;
    return formatPath(this.part, this.segs.slice(0, this.depth));
  }
}

/** One walk reused for every candidate of a closest-call search. */
const counter = new Walk(0, false);

/** Number of differences, or a number above `limit` as soon as it is exceeded. */
export function distance(sig: CompiledSignature, view: LiveView, limit: number): number {
  counter.restart(limit);
  walkSignature(sig, view, counter);
  return counter.count;
}

export function diffLines(sig: CompiledSignature, view: LiveView): string[] {
  return explainDiff(sig, view).lines;
}

/**
 * The readable lines (at most ten) and the structured items (at most 100) of one walk: the miss
 * report and the desktop's miss panel describe the same differences.
 */
export function explainDiff(
  sig: CompiledSignature,
  view: LiveView,
): { lines: string[]; items: DiffItem[] } {
  const w = new Walk(COUNT_CAP, true);
  walkSignature(sig, view, w);
  const lines = w.lines ?? [];
  const items = w.items ?? [];
  if (w.count > lines.length) {
    lines.length = MAX_LINES - 1;
    const rest = w.count - lines.length;
    lines.push(
      `… and ${w.count > COUNT_CAP ? 'more than ' + (COUNT_CAP - lines.length) : rest} more differences`,
    );
  }
  return { lines, items };
}

/** What the signature holds at a place, as written in its file; undefined for a structure. */
function recordedValue(node: Node): unknown {
  switch (node.t) {
    case 'val':
      return node.v;
    case 'any':
      return '*';
    case 'opt':
      return { $any: true };
    case 'glob':
      return node.src;
    case 're':
      return node.re.flags
        ? { $regex: node.re.source, $flags: node.re.flags }
        : { $regex: node.re.source };
    case 'arr':
    case 'obj':
      return undefined;
  }
}

function walkSignature(sig: CompiledSignature, view: LiveView, w: Walk): void {
  walkPart('upstream', sig.upstream, view.upstream, true, w);
  walkPart('method', sig.method, view.method, true, w);
  walkPart('path', sig.path, view.path, true, w);
  walkPart('query', sig.query, view.query, true, w);
  walkPart('body', sig.body, view.body, view.body !== undefined, w);
}

function walkPart(part: Part, node: Node | null, value: unknown, present: boolean, w: Walk): void {
  if (node === null || w.done) return;
  w.enter(part);
  walkNode(node, value, present, w);
}

function walkNode(node: Node, value: unknown, present: boolean, w: Walk): void {
  if (w.done) return;
  switch (node.t) {
    case 'val':
      walkLiteral(node.v, value, present, w);
      return;
    case 'opt':
      return;
    case 'any':
      if (!present) w.missing(node, undefined);
      return;
    case 'glob':
      if (typeof value !== 'string' || !globMatch(node.segs, value))
        report(node, undefined, value, present, w);
      return;
    case 're':
      if (typeof value !== 'string' || !node.re.test(value))
        report(node, undefined, value, present, w);
      return;
    case 'arr': {
      if (!present || !Array.isArray(value)) {
        report(node, undefined, value, present, w);
        return;
      }
      walkItems(node.items, true, value, w);
      return;
    }
    case 'obj':
      if (!present || !isPlainObject(value)) {
        report(node, undefined, value, present, w);
        return;
      }
      for (let i = 0; i < node.keys.length && !w.done; i++) {
        const k = node.keys[i] as string;
        const has = Object.hasOwn(value, k);
        w.push(k);
        walkNode(node.vals[i] as Node, has ? value[k] : undefined, has, w);
        w.pop();
      }
      return;
  }
}

function report(node: Node | null, lit: unknown, value: unknown, present: boolean, w: Walk): void {
  if (present) w.differs(node, lit, value);
  else w.missing(node, lit);
}

function walkLiteral(p: unknown, v: unknown, present: boolean, w: Walk): void {
  if (w.done || p === v) return;
  if (!present) {
    w.missing(null, p);
    return;
  }
  if (Array.isArray(p) && Array.isArray(v)) {
    walkItems(p, false, v, w);
    return;
  }
  if (isPlainObject(p) && isPlainObject(v)) {
    // Sorted only when writing lines: the report must not depend on key order.
    const keys = w.lines !== null ? Object.keys(p).sort() : Object.keys(p);
    for (const k of keys) {
      if (w.done) return;
      const has = Object.hasOwn(v, k);
      w.push(k);
      walkLiteral(p[k], has ? v[k] : undefined, has, w);
      w.pop();
    }
    return;
  }
  w.differs(null, p, v);
}

/** Element-wise over the common length, then one line per element only one side has. */
function walkItems(recorded: readonly unknown[], nodes: boolean, items: unknown[], w: Walk): void {
  const common = Math.min(recorded.length, items.length);
  for (let i = 0; i < common && !w.done; i++) {
    w.push(i);
    if (nodes) walkNode(recorded[i] as Node, items[i], true, w);
    else walkLiteral(recorded[i], items[i], true, w);
    w.pop();
  }
  for (let i = common; i < recorded.length && !w.done; i++) {
    w.push(i);
    if (nodes) w.missing(recorded[i] as Node, undefined);
    else w.missing(null, recorded[i]);
    w.pop();
  }
  for (let i = common; i < items.length && !w.done; i++) {
    w.push(i);
    w.extra(items[i]);
    w.pop();
  }
}

function describe(node: Node | null, lit: unknown): string {
  if (node === null) return show(lit);
  switch (node.t) {
    case 'val':
      return show(node.v);
    case 'any':
      return '"*" (any value)';
    case 'opt':
      return '{"$any":true}';
    case 'glob':
      return `pattern ${show(node.src)}`;
    case 're':
      return `regex ${shorten(String(node.re), SHORT)}`;
    case 'arr':
      return `${node.items.length} items`;
    case 'obj':
      return 'an object';
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(shorten(v, SHORT));
  if (v === undefined) return 'nothing';
  return shorten(JSON.stringify(v), SHORT + 20);
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/** Two long strings shown around their first difference, so the reader sees what changed. */
function showPair(a: string, b: string): [string, string] {
  if (a.length <= SHORT && b.length <= SHORT) return [JSON.stringify(a), JSON.stringify(b)];
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  const start = Math.max(0, i - 12);
  const cut = (s: string): string => {
    const piece = s.slice(start, start + SHORT);
    return JSON.stringify((start > 0 ? '…' : '') + piece + (start + SHORT < s.length ? '…' : ''));
  };
  return [cut(a), cut(b)];
}
