/** The recently opened folders, most recent first, kept in the config dir. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readJsonState, writeJsonState } from './json-file.js';

export const RECENT_FILE = 'recent-folders.json';
export const MAX_RECENT = 10;

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export class RecentFolders {
  private readonly file: string;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(configDir: string) {
    this.file = path.join(configDir, RECENT_FILE);
  }

  private async stored(): Promise<string[]> {
    const raw = (await readJsonState(this.file)) as { folders?: unknown } | undefined;
    const folders = Array.isArray(raw?.folders) ? raw.folders : [];
    return folders.filter((f): f is string => typeof f === 'string' && path.isAbsolute(f));
  }

  /** Folders that still exist; ones deleted or moved away are dropped from the list shown. */
  async list(): Promise<string[]> {
    await this.writing;
    const folders = await this.stored();
    const present = await Promise.all(folders.map(isDir));
    return folders.filter((_, i) => present[i]).slice(0, MAX_RECENT);
  }

  async add(dir: string): Promise<void> {
    const task = this.writing.then(async () => {
      const folders = (await this.stored()).filter((f) => f !== dir);
      const present = await Promise.all(folders.map(isDir));
      const kept = folders.filter((_, i) => present[i]);
      await writeJsonState(this.file, { folders: [dir, ...kept].slice(0, MAX_RECENT) });
    });
    this.writing = task.catch(() => undefined);
    return task;
  }
}
