/**
 * The distinct misses the live link shows (`GET /__tapedeck/live/misses`) and `--report` writes:
 * each unmatched request once, keyed by its normalized upstream, method, path, query and body,
 * with how often and when it came, its closest call and what differs. Each group also keeps the
 * request itself (headers included, in memory only) so *record it* can forward it once later.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { adapterOf } from '../../shared/adapters/registry.js';
import type { DiffItem, MissGroup } from '../../shared/mock-link.js';
import { canonicalJson } from '../../shared/matching/canonical.js';
import { withoutCredentials, withoutVolatileFields } from '../../shared/matching/signature.js';
import type { Redactor } from '../../shared/redact.js';
import { parseQuery } from '../../shared/upstreams.js';
import type { Entry } from '../replay-index.js';
import type { CallRef } from './events.js';
import type { KeptRequest } from './kept-request.js';
import type { Addressed, Parsed } from './parse.js';

export const MAX_MISS_GROUPS = 200;
/** Request bytes kept for *record it* across all groups; a group past it is shown but not recordable. */
export const MAX_KEPT_BYTES = 64 * 1024 * 1024;

interface Group {
  view: Omit<MissGroup, 'count' | 'lastSeen' | 'recordable'>;
  count: number;
  lastSeen: number;
  kept: KeptRequest | null;
}

/** What a miss brings to its group; built only for misses, so hits pay nothing for it. */
export interface MissInput {
  p: Parsed;
  headers: IncomingHttpHeaders;
  closest: Entry | null;
  closestRef: CallRef | null;
  diff: readonly string[];
  items: readonly DiffItem[];
  redact: Redactor;
}

const queryOf = (search: string): Record<string, string | string[]> | null => {
  const q = withoutCredentials(parseQuery(search));
  return Object.keys(q).length ? q : null;
};

/** A secret in a query value under a name no list knows is still a secret. */
function redactQuery(
  q: Record<string, string | string[]> | null,
  redact: Redactor,
): Record<string, string | string[]> | null {
  if (!q) return null;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(q))
    out[k] = Array.isArray(v) ? v.map((x) => redact.text(x)) : redact.text(v);
  return out;
}

function keyOf(
  upstream: string,
  method: string,
  path: string,
  query: unknown,
  body: unknown,
): string {
  return createHash('sha256')
    .update(canonicalJson([upstream, method, path, query, body]))
    .digest('hex')
    .slice(0, 32);
}

const iso = (ms: number) => new Date(ms).toISOString();

export class MissGroups {
  // Map order is least recently seen first: a group seen again moves to the end.
  private groups = new Map<string, Group>();
  private keptBytes = 0;

  /** Adds one unmatched request; returns its group's key. */
  add(m: MissInput, now: number): string {
    const { route, method, family } = m.p.at;
    const query = queryOf(route.search);
    const live = m.p.live().body;
    // Without the top-level fields the matcher never compares (they change per run).
    const body = withoutVolatileFields(live) ?? null;
    const key = keyOf(route.name, method, route.path, query, body);
    const seen = this.touch(key, now);
    if (seen) return key;
    const redacted = typeof body === 'string' ? m.redact.text(body) : m.redact.requestBody(body);
    const kept: KeptRequest = {
      method,
      upstream: route.name,
      path: route.path,
      search: route.search,
      headers: m.headers,
      body: m.p.raw,
    };
    this.insert(key, now, {
      view: {
        key,
        firstSeen: iso(now),
        upstream: route.name,
        method,
        path: route.path,
        query: redactQuery(query, m.redact),
        body: redacted ?? null,
        model: adapterOf(family).requestModel(route.path, live),
        closest: m.closestRef
          ? { call: m.closestRef.call, file: m.closestRef.file, seq: m.closestRef.seq }
          : null,
        signature: m.closest?.signature ?? null,
        diff: [...m.diff],
        items: [...m.items],
      },
      kept: this.keptBytes + kept.body.length <= MAX_KEPT_BYTES ? kept : null,
    });
    return key;
  }

  /** A request refused before it could be compared: grouped by where it went and why. */
  addRefused(at: Addressed, reason: string, now: number, redact: Redactor): string {
    const { route, method, family } = at;
    const query = redactQuery(queryOf(route.search), redact);
    const key = keyOf(route.name, method, route.path, query, { $refused: reason });
    if (this.touch(key, now)) return key;
    this.insert(key, now, {
      view: {
        key,
        firstSeen: iso(now),
        upstream: route.name,
        method,
        path: route.path,
        query,
        body: null,
        model: adapterOf(family).requestModel(route.path, undefined),
        closest: null,
        signature: null,
        diff: [],
        items: [],
        reason,
      },
      kept: null,
    });
    return key;
  }

  get size(): number {
    return this.groups.size;
  }

  /** Oldest first seen first; `recordable` true while the request is kept. */
  list(): MissGroup[] {
    return [...this.groups.values()]
      .map((g) => ({
        ...g.view,
        count: g.count,
        lastSeen: iso(g.lastSeen),
        recordable: g.kept !== null,
      }))
      .sort((a, b) => (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : 0));
  }

  /** The kept request of a group, for *record it*; undefined for an unknown or evicted key. */
  kept(key: string): KeptRequest | null | undefined {
    const g = this.groups.get(key);
    return g ? g.kept : undefined;
  }

  reset(): void {
    this.groups.clear();
    this.keptBytes = 0;
  }

  private touch(key: string, now: number): boolean {
    const g = this.groups.get(key);
    if (!g) return false;
    g.count++;
    g.lastSeen = now;
    this.groups.delete(key);
    this.groups.set(key, g);
    return true;
  }

  private insert(key: string, now: number, g: Omit<Group, 'count' | 'lastSeen'>): void {
    this.groups.set(key, { ...g, count: 1, lastSeen: now });
    if (g.kept) this.keptBytes += g.kept.body.length;
    while (this.groups.size > MAX_MISS_GROUPS) {
      const [oldest, evicted] = this.groups.entries().next().value as [string, Group];
      this.groups.delete(oldest);
      if (evicted.kept) this.keptBytes -= evicted.kept.body.length;
    }
  }
}
