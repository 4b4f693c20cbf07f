/** Reading and saving one file of the opened folder: hashes, validation, conflicts, atomic writes. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { FileContent, SaveResult } from '../../shared/desktop-api.js';
import { Call, Manifest, Scenario, type Manifest as ManifestT } from '../../shared/schema.js';
import { summarizeCall } from '../../shared/totals.js';
import { readSnapshotFile } from '../store/read-file.js';
import { parseJsonFile } from '../store/parse-file.js';
import { MAX_SAFE_NAME_BYTES, replaceIfUnchanged, sha256 } from '../store/safe-write.js';
import { CALLS_DIR, MANIFEST_FILE, SCENARIOS_DIR } from '../store/snapshot-store.js';
import { resolveInside } from './confine.js';
import { HostError } from './host-error.js';

export { sha256 };

const CALL_FILE = new RegExp(`^${CALLS_DIR}/[^/]+\\.json$`);
const SCENARIO_FILE = new RegExp(`^${SCENARIOS_DIR}/[^/]+\\.json$`);

export type FileKind = 'call' | 'manifest' | 'scenario' | 'json';

export function kindOf(rel: string): FileKind {
  if (rel === MANIFEST_FILE) return 'manifest';
  if (CALL_FILE.test(rel)) return 'call';
  if (SCENARIO_FILE.test(rel)) return 'scenario';
  return 'json';
}

const SCHEMA_OF: Record<FileKind, z.ZodType> = {
  call: Call,
  manifest: Manifest,
  scenario: Scenario,
  json: z.unknown(),
};

/** The file's bytes, null when absent; FIFOs, devices, folders and oversized files are refused unread. */
async function readIfPresent(abs: string): Promise<Buffer | null> {
  const read = await readSnapshotFile(abs);
  if (read.ok) return read.bytes;
  if (read.missing) return null;
  throw new HostError('bad_request', `that path ${read.reason}`);
}

/** tapedeck.json as it is on disk now; null when it is missing, unreadable, outside or invalid. */
export async function currentManifest(root: string): Promise<ManifestT | null> {
  try {
    const target = await resolveInside(root, MANIFEST_FILE);
    const read = await readSnapshotFile(target.abs);
    if (!read.ok) return null;
    const parsed = parseJsonFile(read.bytes.toString('utf8'), MANIFEST_FILE, Manifest);
    return parsed.ok ? parsed.value : null;
  } catch {
    return null;
  }
}

// Saves (and reads) of one path queue behind each other, so the hash check and the write act as
// one step against every other save this process makes.
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

export async function readFileIn(root: string, rel: string): Promise<FileContent> {
  const first = await resolveInside(root, rel, { allowMissing: true });
  // In the queue of its path: a save in flight takes the name away for a moment (see
  // replaceIfUnchanged), and a read waits for what it leaves instead of answering not_found.
  return serialized(first.abs, async () => {
    const target = first.exists ? first : await resolveInside(root, rel);
    const read = await readSnapshotFile(target.abs);
    if (!read.ok) {
      if (read.missing) throw new HostError('not_found', `${JSON.stringify(rel)} was not found`);
      throw new HostError('bad_request', `${JSON.stringify(rel)} ${read.reason}`);
    }
    const bytes = read.bytes;
    return { path: target.rel, text: bytes.toString('utf8'), hash: sha256(bytes) };
  });
}

/**
 * Validates `text` for the file's kind, refuses it when the file on disk is no longer the version
 * `baseHash` names (null: the file must not exist yet), and writes it with `replaceIfUnchanged`,
 * which repeats that check where no outside writer can slip in between it and the write.
 * A file deleted since it was read is written again: there is nothing on disk to lose.
 */
export async function saveFileIn(
  root: string,
  rel: string,
  text: string,
  baseHash: string | null,
): Promise<SaveResult> {
  const target = await resolveInside(root, rel, { allowMissing: true });
  if (!target.rel.endsWith('.json'))
    throw new HostError('bad_request', `only .json files can be saved, not ${JSON.stringify(rel)}`);
  const kind = kindOf(target.rel);
  const parsed = parseJsonFile(text, target.rel, SCHEMA_OF[kind]);
  if (!parsed.ok) return { ok: false, reason: 'invalid', errors: [parsed.error] };

  if (Buffer.byteLength(path.basename(target.abs)) > MAX_SAFE_NAME_BYTES)
    throw new HostError(
      'bad_request',
      `file names longer than ${MAX_SAFE_NAME_BYTES} bytes cannot be saved: ${JSON.stringify(rel)}`,
    );

  return serialized(target.abs, async () => {
    for (let attempt = 0; ; attempt++) {
      // Checked first without writing anything: most stale saves end here.
      const current = await readIfPresent(target.abs);
      if (current !== null && sha256(current) !== baseHash) return conflictOf(target.rel, current);
      await makeParent(target.abs, rel);
      // A file deleted since it was read is written as a new one: there is nothing to lose.
      const placed = await replaceIfUnchanged(target.abs, text, current === null ? null : baseHash);
      if (placed.ok) {
        const result: SaveResult = { ok: true, hash: sha256(text) };
        if (kind === 'call') {
          const prices = (await currentManifest(root))?.prices;
          result.call = summarizeCall(parsed.value as Call, target.rel, prices);
        }
        return result;
      }
      if (placed.current !== null) return conflictOf(target.rel, placed.current);
      // Someone wrote and deleted it again while we looked: look again.
      if (attempt >= 2)
        throw new HostError('internal', `${JSON.stringify(rel)} keeps changing; not saved`);
    }
  });
}

function conflictOf(rel: string, current: Buffer): SaveResult {
  return {
    ok: false,
    reason: 'conflict',
    current: { path: rel, text: current.toString('utf8'), hash: sha256(current) },
  };
}

async function makeParent(abs: string, rel: string): Promise<void> {
  try {
    await mkdir(path.dirname(abs), { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR')
      throw new HostError('bad_request', `a file is in the way of ${JSON.stringify(rel)}`);
    throw e;
  }
}
