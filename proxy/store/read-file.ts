/**
 * Reading one snapshot file without trusting its name. A `*.json` in a snapshot folder can be a
 * FIFO (opening it waits for a writer forever, and a synchronous read blocks the whole process), a
 * symlink to /dev/zero (a read never ends and memory grows without bound), a folder, a socket, or
 * simply far too large. Such files are refused unread, with a reason that says what they are; only regular files within the size limit are read, and never past the
 * size they had when they were opened.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { MAX_SNAPSHOT_FILE_BYTES } from '../../shared/limits.js';

export type FileRead =
  | { ok: true; bytes: Buffer }
  /** `missing`: nothing is there (ENOENT), which callers may treat as a removal, not an error. */
  | { ok: false; missing: boolean; reason: string };

// O_NONBLOCK: if a FIFO takes the place of the checked file between stat and open, open must not
// wait for a writer. It changes nothing for a regular file. (Windows has neither.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function whatItIs(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'something other than a file';
}

function megabytes(n: number): string {
  return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
}

/** Why a file with these stats is not read, or null when it may be. */
function refusal(s: Stats, maxBytes: number): string | null {
  if (!s.isFile()) return `is ${whatItIs(s)}, not a regular file; not read`;
  if (s.size > maxBytes)
    return `is ${s.size} bytes, over the limit of ${maxBytes} bytes (${megabytes(maxBytes)}) for a snapshot file; not read`;
  return null;
}

function failed(e: unknown): FileRead {
  const code = (e as NodeJS.ErrnoException).code;
  return { ok: false, missing: code === 'ENOENT', reason: `cannot read: ${(e as Error).message}` };
}

/**
 * The bytes of `abs` (symlinks followed), or why not. Synchronous on purpose: the loaders read
 * thousands of small files and readFileSync-style reads are several times faster there; nothing
 * here can block, since only regular files are ever read.
 */
export function readSnapshotFileSync(
  abs: string,
  maxBytes: number = MAX_SNAPSHOT_FILE_BYTES,
): FileRead {
  let fd: number;
  try {
    // Opened first and judged by what was opened (one stat fewer per file for the loaders' many
    // small files): with O_NONBLOCK and O_NOCTTY, opening a FIFO or a device neither waits nor
    // takes a terminal, and nothing but a regular file is ever read.
    fd = openSync(abs, OPEN_FLAGS);
  } catch (e) {
    // A socket cannot be opened at all (ENXIO): say what it is rather than how open failed.
    try {
      const why = refusal(statSync(abs), maxBytes);
      if (why) return { ok: false, missing: false, reason: why };
    } catch {
      // the open's own error says it best
    }
    return failed(e);
  }
  try {
    const s = fstatSync(fd);
    const why = refusal(s, maxBytes);
    if (why) return { ok: false, missing: false, reason: why };
    const buf = Buffer.allocUnsafe(s.size);
    let n = 0;
    while (n < s.size) {
      const got = readSync(fd, buf, n, s.size - n, n);
      if (got === 0) break;
      n += got;
    }
    return { ok: true, bytes: n === s.size ? buf : buf.subarray(0, n) };
  } catch (e) {
    return failed(e);
  } finally {
    closeSync(fd);
  }
}

/** `readSnapshotFileSync` off the main thread, for hosts that must stay responsive meanwhile. */
export async function readSnapshotFile(
  abs: string,
  maxBytes: number = MAX_SNAPSHOT_FILE_BYTES,
): Promise<FileRead> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    const why = refusal(await stat(abs), maxBytes);
    if (why) return { ok: false, missing: false, reason: why };
    handle = await open(abs, OPEN_FLAGS);
  } catch (e) {
    return failed(e);
  }
  try {
    const s = await handle.stat();
    const why = refusal(s, maxBytes);
    if (why) return { ok: false, missing: false, reason: why };
    const buf = Buffer.allocUnsafe(s.size);
    let n = 0;
    while (n < s.size) {
      const { bytesRead } = await handle.read(buf, n, s.size - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return { ok: true, bytes: n === s.size ? buf : buf.subarray(0, n) };
  } catch (e) {
    return failed(e);
  } finally {
    await handle.close();
  }
}
