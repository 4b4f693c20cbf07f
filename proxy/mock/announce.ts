/**
 * The announce file: once the mock listens it writes `<snap>/.tapedeck/mock.json` (its URL and the
 * live link's token), so the desktop app opening the same folder can find and reach it. Mode 0600:
 * the token is the link's only secret. The folder holds a `.gitignore` of `*`, so it is never
 * committed. A mock killed outright leaves its file behind; readers check that `pid` is alive.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ANNOUNCE_FILE, LINK_DIR, type MockAnnouncement } from '../../shared/mock-link.js';
import { VERSION } from '../version.js';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);

/** The URL a client on this machine uses: a wildcard bind is reached on 127.0.0.1. */
export function announcedUrl(host: string, port: number): string {
  if (WILDCARD.has(host)) return `http://127.0.0.1:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export interface Announced {
  readonly file: string;
  readonly announcement: MockAnnouncement;
  /** Removes the file if it still holds our token (another mock may have taken the folder over). */
  remove(): Promise<void>;
}

export async function announce(
  dir: string,
  fields: Pick<MockAnnouncement, 'url' | 'token' | 'scenario' | 'recordMisses'>,
): Promise<Announced> {
  const real = await realpath(dir);
  const linkDir = path.join(real, LINK_DIR);
  await mkdir(linkDir, { recursive: true, mode: 0o700 });
  const ignore = path.join(linkDir, '.gitignore');
  const existing = await readFile(ignore, 'utf8').catch(() => null);
  if (existing !== '*\n') await writeFile(ignore, '*\n');
  const announcement: MockAnnouncement = {
    ...fields,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    version: VERSION,
    dir: real,
  };
  const file = path.join(real, ANNOUNCE_FILE);
  // Atomic: the app reading it mid-write must see the old file or the new one, never half.
  await writeFileAtomic(file, JSON.stringify(announcement, null, 2) + '\n', { mode: 0o600 });
  return {
    file,
    announcement,
    async remove() {
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text === null) return;
      let token: unknown;
      try {
        token = (JSON.parse(text) as { token?: unknown }).token;
      } catch {
        return;
      }
      if (token === fields.token) await unlink(file).catch(() => undefined);
    },
  };
}
