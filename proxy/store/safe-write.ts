/**
 * Writing snapshot files: readers see whole versions only, a save based on an old version never
 * replaces a newer one, and whatever a killed writer leaves behind is recognisable and cleaned up.
 *
 * Side files (temp copies and set-aside old versions) live beside their file, named
 * `.NAME.HOST-PID.RANDOM.tapedeck-tmp` / `…tapedeck-old`: hidden, never ending in `.json` (so no
 * loader or watcher takes them for a call), and carrying who wrote them, so a clean-up removes only
 * those of processes that are gone.
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, lstatSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { link, lstat, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const TMP = 'tmp';
const OLD = 'old';
type SideKind = typeof TMP | typeof OLD;

/** Which machine wrote a side file: a pid means nothing on another host sharing the folder. */
export const HOST_TAG = sha256(hostname()).slice(0, 6);
const SIDE_FILE = /^\.(.+)\.([0-9a-f]{6})-(\d+)\.([0-9a-f]{12})\.tapedeck-(tmp|old)$/;

/** Longest file name (bytes) that leaves room for the side-file decoration under the usual 255. */
export const MAX_SAFE_NAME_BYTES = 200;

/** A side file of a live process older than this belongs to a reused pid: nothing writes this long. */
export const STALE_AFTER_MS = 60 * 60 * 1000;

function sidePath(file: string, kind: SideKind): string {
  const name = path.basename(file);
  if (Buffer.byteLength(name) > MAX_SAFE_NAME_BYTES)
    throw new Error(`file name longer than ${MAX_SAFE_NAME_BYTES} bytes: ${name.slice(0, 40)}…`);
  const id = randomBytes(6).toString('hex');
  return path.join(
    path.dirname(file),
    `.${name}.${HOST_TAG}-${process.pid}.${id}.tapedeck-${kind}`,
  );
}

export function isSideFile(name: string): boolean {
  return SIDE_FILE.test(name);
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

async function unlinkQuietly(p: string): Promise<void> {
  try {
    await unlink(p);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
}

interface Temp {
  path: string;
  /** Which inode it is, to recognise it once it is linked under the real name. */
  ino: number;
}

/** Writes and fsyncs a temp file beside `file`, with `mode` when given (the file's own, on replace). */
async function writeTemp(file: string, data: string | Buffer, mode?: number): Promise<Temp> {
  const tmp = sidePath(file, TMP);
  const fh = await open(tmp, 'wx', mode ?? 0o666);
  try {
    // open() applies the umask; an existing file's mode is kept exactly, as editors do.
    if (mode !== undefined) await fh.chmod(mode);
    await fh.writeFile(data);
    await fh.sync();
    const { ino } = await fh.stat();
    await fh.close();
    return { path: tmp, ino };
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlinkQuietly(tmp);
    throw e;
  }
}

/** Makes a rename or link durable: the directory entry, not only the data, reaches the disk. */
async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for syncing; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Codes with which file systems without hard links (FAT, some network shares) refuse link(). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Puts `from` at `to` only if nothing is there: link() fails with EEXIST when another writer got
 * there first. Without hard links, a check then a rename: a writer landing in between is replaced.
 */
async function placeExclusive(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (e) {
    if (code(e) === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code(e) ?? '')) throw e;
  }
  try {
    await lstat(to);
    return false;
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
  await rename(from, to);
  return true;
}

/**
 * placeExclusive, synchronously: run right after the rename that takes the old version away, so
 * nothing else this process does (no queued callback, no other I/O) can stretch the moment in
 * which the name is absent.
 */
function placeExclusiveSync(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (e) {
    if (code(e) === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code(e) ?? '')) throw e;
  }
  try {
    lstatSync(to);
    return false;
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
  renameSync(from, to);
  return true;
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (e) {
    if (code(e) === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Replaces `file` unconditionally, atomically for readers: temp file, fsync, rename. For writers
 * that own their file (the recorder names each call file by its seq).
 */
export async function writeFileAtomically(file: string, data: string | Buffer): Promise<void> {
  const tmp = await writeTemp(file, data);
  try {
    await rename(tmp.path, file);
  } catch (e) {
    await unlinkQuietly(tmp.path);
    throw e;
  }
}

/** Creates `file` whole, or leaves it alone and answers false when it exists. */
export async function createExclusive(file: string, data: string | Buffer): Promise<boolean> {
  const tmp = await writeTemp(file, data);
  try {
    return await placeExclusive(tmp.path, file);
  } finally {
    await unlinkQuietly(tmp.path);
  }
}

export type ReplaceResult =
  | { ok: true }
  /** Nothing was written; `current` is what is on disk now (null: nothing is). */
  | { ok: false; current: Buffer | null };

/** True when another live writer has `file` set aside right now (it is mid-save). */
async function setAsideByOther(file: string): Promise<boolean> {
  const name = path.basename(file);
  let names: string[];
  try {
    names = await readdir(path.dirname(file));
  } catch {
    return false;
  }
  for (const n of names) {
    const m = SIDE_FILE.exec(n);
    if (m && m[1] === name && m[5] === OLD && ownerAlive(m[2] as string, Number(m[3]))) return true;
  }
  return false;
}

/**
 * Writes `data` to `file` only if the file's content still hashes to `baseHash` (null: only if
 * there is no file). The caller has checked the hash already; this closes the gap between that
 * check and the write for outside writers that replace the file by name (editors, `tapedeck
 * record`, atomic writers) and for writers that truncate it in place:
 *
 * 1. the new version goes to a temp file, fsynced;
 * 2. the current file is renamed aside, out of every other writer's reach by name;
 * 3. link(temp → file) fails with EEXIST if anyone created the name since step 2: conflict, theirs
 *    stays;
 * 4. the set-aside copy must still hash to `baseHash`. If not, an outside write landed after the
 *    caller's check (or is being written into it in place): it is renamed back over ours and the
 *    answer is a conflict.
 *
 * Left open, and documented in docs/desktop.md: a writer that opened the file before step 2 and
 * writes into it without truncating (appending, positional writes) after step 4 writes into the
 * copy this deletes; a third writer replacing the file in the microseconds between the check and
 * the rename of step 4's roll-back is replaced by the second; and between steps 2 and 3 (two
 * system calls) the name is absent for readers.
 */
export async function replaceIfUnchanged(
  file: string,
  data: string | Buffer,
  baseHash: string | null,
): Promise<ReplaceResult> {
  let mode: number | undefined;
  try {
    mode = (await stat(file)).mode & 0o7777;
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
  const tmp = await writeTemp(file, data, mode);
  let aside: string | null = null;
  try {
    let placed: boolean;
    if (baseHash === null) {
      placed = await placeExclusive(tmp.path, file);
    } else {
      const candidate = sidePath(file, OLD);
      let moved = false;
      try {
        // Synchronous, and back to back with the link: the name is absent only between these two
        // system calls.
        renameSync(file, candidate);
        moved = true;
        aside = candidate;
        placed = placeExclusiveSync(tmp.path, file);
      } catch (e) {
        if (moved) {
          // Ours could not take the name: the old version goes back. If even that fails it stays
          // set aside, where the next open of the folder puts it back.
          let restored = false;
          try {
            restored = placeExclusiveSync(candidate, file);
          } catch {
            restored = false;
          }
          if (!restored) aside = null;
          throw e;
        }
        if (code(e) !== 'ENOENT') throw e;
        // Gone: deleted since it was read (nothing to lose, so it is written again), unless
        // another process is in the middle of saving it; then that save's outcome decides.
        if (await setAsideByOther(file)) return { ok: false, current: await readOrNull(file) };
        placed = await placeExclusive(tmp.path, file);
      }
    }
    if (!placed) return { ok: false, current: await readOrNull(file) };
    if (aside !== null && sha256(await readFile(aside)) !== baseHash) {
      // Theirs is newer than the version the caller checked: it goes back over ours, unless ours
      // was replaced meanwhile by a still newer one, which then stays.
      const there = await lstat(file).catch(() => null);
      if (there?.ino === tmp.ino) {
        await rename(aside, file);
        aside = null;
      }
      return { ok: false, current: await readOrNull(file) };
    }
    await syncDir(path.dirname(file));
    return { ok: true };
  } finally {
    await unlinkQuietly(tmp.path);
    if (aside !== null) await unlinkQuietly(aside);
  }
}

function ownerAlive(host: string, pid: number): boolean {
  if (host !== HOST_TAG) return true;
  if (pid === process.pid) return true;
  // kill(0) would signal our whole process group; such a name is not ours anyway.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive, owned by another user.
    return code(e) === 'EPERM';
  }
}

export interface CleanUp {
  /** Side files deleted (names, relative to the folder). */
  removed: string[];
  /** Files a killed save had set aside and not replaced: put back under their name. */
  restored: string[];
}

/**
 * Removes the side files of writers that are gone (dead pid on this host, or older than
 * STALE_AFTER_MS). A set-aside old version whose file is missing is put back first: the save that
 * moved it died before its own version took the name, and had not answered.
 */
export async function cleanSideFiles(dir: string, opts: { now?: number } = {}): Promise<CleanUp> {
  const out: CleanUp = { removed: [], restored: [] };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  const now = opts.now ?? Date.now();
  for (const n of names.sort()) {
    const m = SIDE_FILE.exec(n);
    if (!m) continue;
    const full = path.join(dir, n);
    let age: number;
    try {
      const s = await lstat(full);
      if (!s.isFile()) continue;
      // A rename keeps mtime but updates ctime: the newer of the two is when it was put here.
      age = now - Math.max(s.mtimeMs, s.ctimeMs);
    } catch {
      continue;
    }
    if (ownerAlive(m[2] as string, Number(m[3])) && age < STALE_AFTER_MS) continue;
    if (m[5] === OLD) {
      const target = path.join(dir, m[1] as string);
      if (await placeExclusive(full, target).catch(() => false)) out.restored.push(m[1] as string);
    }
    try {
      await unlink(full);
      out.removed.push(n);
    } catch (e) {
      if (code(e) !== 'ENOENT') throw e;
    }
  }
  return out;
}
