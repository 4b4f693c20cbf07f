/**
 * The link between a running `tapedeck mock` and the desktop app (issue #10): the announce file
 * the mock writes into the snapshot folder, and the shapes its authenticated live endpoints send.
 * Types and constants only; the mock side is proxy/mock/live-*.ts, the app side proxy/host/mock-link.ts.
 *
 * Protocol (every `/__tapedeck/live/*` request must carry `x-tapedeck-token: TOKEN` from the
 * announce file, else 401; and a Host of 127.0.0.1:PORT, localhost:PORT or [::1]:PORT, else 403):
 * - `GET  /__tapedeck/live/events`: `text/event-stream`. First `event: state` (a `LiveState`), then
 *   `event: history` (the newest 500 rows from before the connection, oldest first; already in
 *   the state's counts), then `event: rows` with a JSON `LiveRow[]` (batched, at most every 50 ms), and `event: state` again
 *   after a reset or a reload. A comment line `: ping` every 15 s keeps proxies from closing it.
 * - `GET  /__tapedeck/live/misses`: `{ "misses": MissGroup[] }`, oldest first seen first.
 * - `POST /__tapedeck/live/record`: body `{ "key": MissGroup.key }` → `RecordMissResult`.
 * - `POST /__tapedeck/reset` (unchanged) also forgets hits, miss groups and retries.
 */
import type { Report as ReportSchema, Signature } from './schema.js';

/** Relative to the snapshot folder; holds `.gitignore` (`*`) so nothing in it is committed. */
export const LINK_DIR = '.tapedeck';
/** Relative to the snapshot folder: the `MockAnnouncement` of the mock serving it (mode 0600). */
export const ANNOUNCE_FILE = '.tapedeck/mock.json';
export const TOKEN_HEADER = 'x-tapedeck-token';
export const LIVE_PREFIX = '/__tapedeck/live';

/** Written atomically once the mock listens; removed on exit if it still holds this token. */
export interface MockAnnouncement {
  /** e.g. http://127.0.0.1:8080 (a wildcard bind is announced as 127.0.0.1). */
  url: string;
  token: string;
  pid: number;
  /** ISO 8601. */
  startedAt: string;
  version: string;
  /** Real path of the folder served. */
  dir: string;
  scenario: string | null;
  recordMisses: boolean;
}

export type LiveOutcome = 'hit' | 'miss' | 'passthrough' | 'recorded' | 'refused';

/** One row of the live request log: a `MockEvent` as the app shows it. */
export interface LiveRow {
  /** The mock's request number. */
  id: number;
  /** ms since the epoch, when the request arrived. */
  time: number;
  upstream: string;
  method: string;
  path: string;
  outcome: LiveOutcome;
  /** The call that answered (hit) or was written (recorded); else null. */
  call: string | null;
  /** Its file, relative to the snapshot folder (`calls/…json`). */
  file: string | null;
  /** For a miss or passthrough: the `MissGroup.key` it belongs to. */
  missKey: string | null;
  /** Fault kinds fired, in order. */
  faults: string[];
  status: number;
  ttfbMs: number | null;
  totalMs: number;
  costAvoidedUsd: number | null;
}

/** What the mock has counted since start or the last reset. */
export interface LiveState {
  /** ISO 8601 of the start or last reset. */
  since: string;
  requests: number;
  unmatched: number;
  costAvoidedUsd: number;
  /** Hits per call file (relative path); files absent were not hit. */
  hits: Record<string, number>;
  /** Ids of the loaded calls never hit since start or reset. */
  unused: string[];
  /** Distinct misses kept. */
  missGroups: number;
}

/** One difference between a request and the closest call's signature, in matcher terms. */
export interface DiffItem {
  part: 'upstream' | 'method' | 'path' | 'query' | 'body';
  /** The JSON path as `ignore` takes it (`$.messages[1].content`, `$.query.t`); the part's name for upstream/method/path. */
  path: string;
  /** differs: both have it; missing: only the recording has it; extra: only the request has it. */
  kind: 'differs' | 'missing' | 'extra';
  /** The signature's value at that place (a literal, or a pattern such as `"gpt-4*"`), when it has one. */
  recorded?: unknown;
  /** The request's value at that place, when it has one. */
  request?: unknown;
}

/** Each distinct unmatched request (same upstream, method, path, query and body) once. */
export interface MissGroup {
  /** Stable for the same request: a hash of its normalized upstream, method, path, query and body. */
  key: string;
  count: number;
  /** ISO 8601. */
  firstSeen: string;
  lastSeen: string;
  upstream: string;
  method: string;
  path: string;
  /** Query parameters without credentials; null when there were none. */
  query: Record<string, string | string[]> | null;
  /** The request body as the matcher compared it (parsed JSON, or text), secrets redacted; null when none. */
  body: unknown;
  model: string | null;
  closest: { call: string; file: string; seq: number } | null;
  /** The closest call's signature as stored in its file. */
  signature: Signature | null;
  /** The readable lines of `/__tapedeck/misses`. */
  diff: string[];
  items: DiffItem[];
  /** Why it was not compared (refused: too large, too deep, timed out); else absent. */
  reason?: string;
  /** The mock still holds the request (headers included) and can forward it once (`live/record`). */
  recordable: boolean;
}

export type RecordMissResult =
  { ok: true; call: string; file: string; status: number } | { ok: false; reason: string };

/** `--report FILE`: what one mock run saw, written at exit (schema `report` in schemas/). */
export interface MockReport {
  format: 'tapedeck-report/1';
  /** Real path of the folder served. */
  dir: string;
  startedAt: string;
  endedAt: string;
  scenario: string | null;
  requests: number;
  hits: number;
  unmatched: number;
  costAvoidedUsd: number;
  /** Per call hit: how often. */
  calls: Array<{ call: string; file: string; hits: number }>;
  /** Ids of the calls never hit. */
  unused: string[];
  /** Fault kind → times fired. */
  faults: Record<string, number>;
  /** Per upstream: requests, matched, unmatched, retries. */
  upstreams: Record<
    string,
    { requests: number; matched: number; unmatched: number; retries: number }
  >;
  /** Distinct misses, with bodies redacted and `recordable` false. */
  misses: MissGroup[];
}

// The report's zod schema (shared/schema.ts `Report`) must describe exactly this type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const REPORT_SCHEMA_MATCHES: Same<MockReport, Omit<ReportSchema, '$schema'>> = true;
