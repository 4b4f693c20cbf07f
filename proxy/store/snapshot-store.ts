/** The snapshot folder on disk: load and validate, write call files atomically, name them. */
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import {
  Call,
  FORMAT,
  Manifest,
  Scenario,
  type LoadError,
  type Manifest as ManifestT,
  type Scenario as ScenarioT,
} from '../../shared/schema.js';
import { parseJsonFile, type Parsed } from './parse-file.js';
import { readSnapshotFile, readSnapshotFileSync } from './read-file.js';
import {
  cleanSideFiles,
  createExclusive,
  writeFileAtomically,
  type CleanUp,
} from './safe-write.js';

export const MANIFEST_FILE = 'tapedeck.json';
export const CALLS_DIR = 'calls';
export const SCENARIOS_DIR = 'scenarios';
/** `tapedeck record --inbound`'s exchanges with the user's own service (proxy/inbound/). */
export const INBOUND_DIR = 'inbound';

export interface LoadedCall {
  call: Call;
  /** Path relative to the snapshot folder, with forward slashes: `calls/000001-….json`. */
  file: string;
}

export interface Snapshot {
  dir: string;
  manifest: ManifestT | null;
  calls: LoadedCall[];
  scenarios: Record<string, ScenarioT>;
  errors: LoadError[];
}

export class SnapshotMissingError extends Error {}

export async function assertSnapshotDir(dir: string): Promise<void> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new SnapshotMissingError(`${dir} is not a folder`);
  } catch (e) {
    if (e instanceof SnapshotMissingError) throw e;
    throw new SnapshotMissingError(`snapshot folder not found: ${dir}`);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    // Temp files of an interrupted atomic write never count as calls.
    return names.filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
}

/**
 * Reads call files synchronously in batches: for thousands of small files, synchronous reads are
 * about five times faster than promise-based ones, and yielding between batches keeps a host
 * responsive. (Only regular files are read, so no read can block; see read-file.ts.)
 */
async function loadBatched(
  dir: string,
  rels: readonly string[],
): Promise<Array<{ call?: LoadedCall; error?: LoadError }>> {
  const out: Array<{ call?: LoadedCall; error?: LoadError }> = [];
  for (let i = 0; i < rels.length; i++) {
    out.push(loadCallFileSync(dir, rels[i] as string));
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  return out;
}

export function loadCallFileSync(
  dir: string,
  rel: string,
): { call?: LoadedCall; error?: LoadError } {
  const read = readSnapshotFileSync(path.join(dir, rel));
  if (!read.ok) return { error: { file: rel, reason: read.reason } };
  const parsed = parseJsonFile(read.bytes.toString('utf8'), rel, Call);
  return parsed.ok ? { call: { call: parsed.value, file: rel } } : { error: parsed.error };
}

/** A manifest or scenario file, read as safely as a call file. */
async function loadSideFile<T>(dir: string, rel: string, schema: z.ZodType<T>): Promise<Parsed<T>> {
  const read = await readSnapshotFile(path.join(dir, rel));
  if (!read.ok) return { ok: false, error: { file: rel, reason: read.reason } };
  return parseJsonFile(read.bytes.toString('utf8'), rel, schema);
}

/** The manifest and scenarios: the small files beside the calls. */
export async function loadSideFiles(dir: string): Promise<{
  manifest: ManifestT | null;
  scenarios: Record<string, ScenarioT>;
  errors: LoadError[];
}> {
  const errors: LoadError[] = [];
  let manifest: ManifestT | null = null;
  if (await exists(path.join(dir, MANIFEST_FILE))) {
    const parsed = await loadSideFile(dir, MANIFEST_FILE, Manifest);
    if (parsed.ok) manifest = parsed.value;
    else errors.push(parsed.error);
  }
  const scenarios: Record<string, ScenarioT> = {};
  for (const n of await jsonFiles(path.join(dir, SCENARIOS_DIR))) {
    const rel = `${SCENARIOS_DIR}/${n}`;
    const parsed = await loadSideFile(dir, rel, Scenario);
    if (parsed.ok) scenarios[n.slice(0, -'.json'.length)] = parsed.value;
    else errors.push(parsed.error);
  }
  return { manifest, scenarios, errors };
}

/** `calls/NAME.json` for every call file, in name order. */
export async function callFiles(dir: string): Promise<string[]> {
  return (await jsonFiles(path.join(dir, CALLS_DIR))).map((n) => `${CALLS_DIR}/${n}`);
}

interface CallKey<T> {
  id(item: T): string;
  seq(item: T): number;
  file(item: T): string;
}

/**
 * The one rule for every loader, so the mock and the UI agree on which calls exist: the first file
 * of each id (in name order) wins and the others are reported; calls in seq order; the manifest's
 * errors first (they concern the whole snapshot), the calls' next, the scenarios' last.
 */
export function assembleCalls<T>(
  found: readonly T[],
  key: CallKey<T>,
  callErrors: readonly LoadError[],
  sideErrors: readonly LoadError[],
): { calls: T[]; errors: LoadError[] } {
  const errors: LoadError[] = [
    ...sideErrors.filter((e) => e.file === MANIFEST_FILE),
    ...callErrors,
  ];
  const ids = new Map<string, string>();
  const calls: T[] = [];
  for (const item of found) {
    const id = key.id(item);
    const dup = ids.get(id);
    if (dup) {
      errors.push({ file: key.file(item), reason: `duplicate id ${id} (also in ${dup}); skipped` });
      continue;
    }
    ids.set(id, key.file(item));
    calls.push(item);
  }
  calls.sort((a, b) => key.seq(a) - key.seq(b) || key.file(a).localeCompare(key.file(b)));
  errors.push(...sideErrors.filter((e) => e.file !== MANIFEST_FILE));
  return { calls, errors };
}

export async function loadSnapshot(dir: string): Promise<Snapshot> {
  await assertSnapshotDir(dir);
  const side = await loadSideFiles(dir);
  const callErrors: LoadError[] = [];
  const found: LoadedCall[] = [];
  for (const r of await loadBatched(dir, await callFiles(dir))) {
    if (r.error) callErrors.push(r.error);
    if (r.call) found.push(r.call);
  }
  const { calls, errors } = assembleCalls(
    found,
    { id: (c) => c.call.id, seq: (c) => c.call.seq, file: (c) => c.file },
    callErrors,
    side.errors,
  );
  return { dir, manifest: side.manifest, calls, scenarios: side.scenarios, errors };
}

/** Creates the folder layout and a manifest when there is none; an existing manifest is never rewritten. */
export async function initSnapshotDir(dir: string, recorder: string): Promise<void> {
  await mkdir(path.join(dir, CALLS_DIR), { recursive: true });
  const manifestPath = path.join(dir, MANIFEST_FILE);
  if (await exists(manifestPath)) return;
  const manifest: ManifestT = { format: FORMAT, createdAt: new Date().toISOString(), recorder };
  // Exclusive: a second recorder starting at the same moment can neither overwrite it nor leave
  // half a file.
  await createExclusive(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
}

/** The highest seq among file names `NNNNNN-….json`; recording continues after it. */
export async function lastSeq(dir: string): Promise<number> {
  let max = 0;
  for (const n of await jsonFiles(path.join(dir, CALLS_DIR))) {
    const m = /^(\d+)-/.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

function safePart(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
}

const API_SHORT: Record<string, string> = {
  'chat.completions': 'chat',
  streamGenerateContent: 'stream',
  generateContent: 'generate',
};

export function callFileName(call: Pick<Call, 'seq' | 'upstream' | 'api' | 'model'>): string {
  const parts = [
    String(call.seq).padStart(6, '0'),
    safePart(call.upstream),
    safePart(API_SHORT[call.api] ?? call.api),
  ];
  if (call.model) parts.push(safePart(call.model));
  return parts.filter(Boolean).join('-') + '.json';
}

/** Fixed key order, so files diff well and read the same way every time. */
export function serializeCall(call: Call): string {
  const ordered: Record<string, unknown> = {
    format: call.format ?? FORMAT,
    id: call.id,
    seq: call.seq,
    recordedAt: call.recordedAt,
    upstream: call.upstream,
    provider: call.provider,
    api: call.api,
    model: call.model,
    // JSON.stringify leaves it out when undefined (files written before routes were stored).
    route: call.route,
    outcome: call.outcome,
    request: call.request,
    response: call.response,
    timing: call.timing,
    usage: call.usage,
    costUsd: call.costUsd,
    costSource: call.costSource,
    signature: call.signature,
  };
  if (call.$schema !== undefined) ordered.$schema = call.$schema;
  if (call.faults !== undefined) ordered.faults = call.faults;
  return JSON.stringify(ordered, null, 2) + '\n';
}

/**
 * Writes to a temp file in the same folder and renames it, so readers never see half a file; a
 * temp left by a killed recorder is removed when the folder is next opened (see safe-write.ts).
 */
export async function writeCallFile(
  dir: string,
  call: Call,
  fileName = callFileName(call),
): Promise<string> {
  const rel = `${CALLS_DIR}/${fileName}`;
  await writeFileAtomically(path.join(dir, rel), serializeCall(call));
  return rel;
}

/**
 * What killed saves and recorders left in the snapshot's folders, cleaned before a load: temp files
 * of dead writers removed, a set-aside version whose file lost its name put back. Every command
 * that opens a folder runs it (mock, record, the desktop host), so a call is never missing
 * because a save died between moving it aside and placing the new version.
 */
export async function cleanSnapshotSideFiles(dir: string): Promise<CleanUp> {
  const out: CleanUp = { removed: [], restored: [] };
  for (const sub of ['', CALLS_DIR, SCENARIOS_DIR, INBOUND_DIR]) {
    const r = await cleanSideFiles(path.join(dir, sub));
    const prefix = sub ? `${sub}/` : '';
    out.removed.push(...r.removed.map((n) => prefix + n));
    out.restored.push(...r.restored.map((n) => prefix + n));
  }
  return out;
}
