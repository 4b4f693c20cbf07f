/** Reading and saving one file of the opened folder: hashes, validation, conflicts, atomic writes. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { FileContent, SaveResult } from '../../shared/desktop-api.js';
import { Call, Manifest, Scenario, type Manifest as ManifestT } from '../../shared/schema.js';
import { summarizeCall } from '../../shared/totals.js';
import { parseJsonFile } from '../store/parse-file.js';
import { CALLS_DIR, MANIFEST_FILE, SCENARIOS_DIR } from '../store/snapshot-store.js';
import { resolveInside } from './confine.js';
import { HostError } from './host-error.js';

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

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

async function readIfPresent(abs: string): Promise<Buffer | null> {
  try {
    return await readFile(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EISDIR') throw new HostError('bad_request', 'that path is a folder, not a file');
    throw e;
  }
}

/** tapedeck.json as it is on disk now; null when it is missing, unreadable, outside or invalid. */
export async function currentManifest(root: string): Promise<ManifestT | null> {
  try {
    const target = await resolveInside(root, MANIFEST_FILE);
    const parsed = parseJsonFile(await readFile(target.abs, 'utf8'), MANIFEST_FILE, Manifest);
    return parsed.ok ? parsed.value : null;
  } catch {
    return null;
  }
}

export async function readFileIn(root: string, rel: string): Promise<FileContent> {
  const target = await resolveInside(root, rel);
  if (!(await stat(target.abs)).isFile())
    throw new HostError('bad_request', `${JSON.stringify(rel)} is not a file`);
  const bytes = await readFile(target.abs);
  return { path: target.rel, text: bytes.toString('utf8'), hash: sha256(bytes) };
}

// Saves of one path queue behind each other, so the hash check and the write act as one step
// against every other save this process makes.
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

/**
 * Validates `text` for the file's kind, refuses it when the file on disk is no longer the version
 * `baseHash` names (null: the file must not exist yet), and writes it through a temp file + rename.
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

  return serialized(target.abs, async () => {
    const current = await readIfPresent(target.abs);
    if (current !== null) {
      const currentHash = sha256(current);
      if (currentHash !== baseHash) {
        return {
          ok: false,
          reason: 'conflict',
          current: { path: target.rel, text: current.toString('utf8'), hash: currentHash },
        };
      }
    }
    try {
      await mkdir(path.dirname(target.abs), { recursive: true });
    } catch (e) {
      if (
        (e as NodeJS.ErrnoException).code === 'EEXIST' ||
        (e as NodeJS.ErrnoException).code === 'ENOTDIR'
      )
        throw new HostError('bad_request', `a file is in the way of ${JSON.stringify(rel)}`);
      throw e;
    }
    await writeFileAtomic(target.abs, text);
    const result: SaveResult = { ok: true, hash: sha256(text) };
    if (kind === 'call') {
      const prices = (await currentManifest(root))?.prices;
      result.call = summarizeCall(parsed.value as Call, target.rel, prices);
    }
    return result;
  });
}
