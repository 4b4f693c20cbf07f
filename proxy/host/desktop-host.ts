/**
 * The one DesktopApi implementation on the Node side. Electron's IPC handlers and the browser
 * mode's HTTP server both call it, so the two modes cannot differ in what they allow.
 */
import { realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type {
  AppInfo,
  ChangeEvent,
  DesktopApi,
  DirListing,
  FileContent,
  SaveResult,
  SnapshotInfo,
} from '../../shared/desktop-api.js';
import { jsonSchemaOf, schemas, type SchemaName } from '../../shared/schema.js';
import { cleanSideFiles } from '../store/safe-write.js';
import { CALLS_DIR, SCENARIOS_DIR } from '../store/snapshot-store.js';
import { VERSION } from '../version.js';
import { absolutePathProblem } from './confine.js';
import { configDir as defaultConfigDir } from './config-dir.js';
import { readFileIn, saveFileIn } from './files.js';
import { HostError } from './host-error.js';
import { listDir } from './list-dir.js';
import { loadFolder } from './load-folder.js';
import { bundledSampleDir } from './package-root.js';
import { RecentFolders } from './recent.js';
import { sampleCopy } from './sample.js';
import { watchFolder, type FolderWatch } from './watch.js';

export interface DesktopHostOptions {
  mode: AppInfo['mode'];
  /** Opened by the UI at start; null shows the start page. */
  initialFolder?: string | null;
  /** Recent folders and the sample's copy live here (default: TAPEDECK_CONFIG_DIR or ~/.config/tapedeck). */
  configDir?: string;
  /** Folders `listDir` may show, the first one by default (default: the home folder). */
  browseRoots?: string[];
  /** Electron's native dialog; the browser mode has none and answers null. */
  pickFolder?: () => Promise<string | null>;
  /** The demo snapshot to copy for `sampleFolder` (default: samples/demo of the package). */
  sampleSource?: string;
  /** Quiet time before a changed file is read and reported. */
  watchDebounceMs?: number;
}

export class DesktopHost implements DesktopApi {
  private readonly configDir: string;
  private readonly recent: RecentFolders;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private root: string | null = null;
  private watcher: FolderWatch | null = null;
  /** Bumped by every openFolder, so an older open that finishes late does not win. */
  private generation = 0;
  private sampleTask: Promise<string> | null = null;
  private schemaCache: Record<SchemaName, object> | null = null;
  initialFolder: string | null;

  constructor(private readonly options: DesktopHostOptions) {
    this.configDir = options.configDir ?? defaultConfigDir();
    this.recent = new RecentFolders(this.configDir);
    this.initialFolder = options.initialFolder ?? null;
  }

  /** The opened folder's real path, or null before any folder is opened. */
  get openedFolder(): string | null {
    return this.root;
  }

  appInfo(): Promise<AppInfo> {
    return Promise.resolve({
      version: VERSION,
      mode: this.options.mode,
      platform: process.platform,
      initialFolder: this.initialFolder,
    });
  }

  recentFolders(): Promise<string[]> {
    return this.recent.list();
  }

  sampleFolder(): Promise<string> {
    // Two clicks at once must not copy over each other.
    this.sampleTask ??= sampleCopy(
      this.options.sampleSource ?? bundledSampleDir(),
      this.configDir,
    ).finally(() => {
      this.sampleTask = null;
    });
    return this.sampleTask;
  }

  async pickFolder(): Promise<string | null> {
    return this.options.pickFolder ? this.options.pickFolder() : null;
  }

  listDir(dir?: string): Promise<DirListing> {
    return listDir(dir, this.options.browseRoots ?? [homedir()]);
  }

  async openFolder(dir: string): Promise<SnapshotInfo> {
    const problem = absolutePathProblem(dir);
    if (problem)
      throw new HostError('bad_request', `cannot open ${JSON.stringify(dir)}: it ${problem}`);
    let real: string;
    try {
      real = await realpath(path.resolve(dir));
    } catch {
      throw new HostError('not_found', `folder not found: ${dir}`);
    }
    if (!(await stat(real)).isDirectory())
      throw new HostError('bad_request', `${dir} is not a folder`);

    const generation = ++this.generation;
    // What killed saves and recorders left behind goes first, so the load sees the files whole.
    for (const sub of ['', CALLS_DIR, SCENARIOS_DIR]) await cleanSideFiles(path.join(real, sub));
    await this.watcher?.close();
    this.watcher = null;
    this.root = null;
    // Watch first, then read: a change made while reading is then either in what we read or in
    // an event after it, never lost between the two.
    const watcher = watchFolder(real, (e) => this.emit(generation, e), {
      debounceMs: this.options.watchDebounceMs,
    });
    try {
      await watcher.ready;
      const info = await loadFolder(real);
      if (generation !== this.generation) {
        await watcher.close();
        throw new HostError('bad_request', `opening ${dir} was overtaken by another folder`);
      }
      this.watcher = watcher;
      this.root = real;
      await this.recent.add(real);
      return info;
    } catch (e) {
      if (this.watcher !== watcher) await watcher.close();
      throw e;
    }
  }

  async readFile(rel: string): Promise<FileContent> {
    return readFileIn(this.requireRoot(), rel);
  }

  async saveFile(rel: string, text: string, baseHash: string | null): Promise<SaveResult> {
    return saveFileIn(this.requireRoot(), rel, text, baseHash);
  }

  schemas(): Promise<Record<SchemaName, object>> {
    this.schemaCache ??= Object.fromEntries(
      (Object.keys(schemas) as SchemaName[]).map((name) => [name, jsonSchemaOf(name)]),
    ) as Record<SchemaName, object>;
    return Promise.resolve(this.schemaCache);
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops watching; the host can still open another folder afterwards. */
  async close(): Promise<void> {
    this.generation++;
    await this.watcher?.close();
    this.watcher = null;
    this.root = null;
  }

  private emit(generation: number, event: ChangeEvent): void {
    if (generation !== this.generation) return;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed socket, a destroyed window) must not starve the others.
      }
    }
  }

  private requireRoot(): string {
    if (!this.root) throw new HostError('no_folder', 'no folder is open');
    return this.root;
  }
}
