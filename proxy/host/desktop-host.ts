/**
 * The one DesktopApi implementation on the Node side. Electron's IPC handlers and the browser
 * mode's HTTP server both call it, so the two modes cannot differ in what they allow.
 */
import { mkdir, realpath, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import type {
  AppInfo,
  BodySearchResult,
  ChangeEvent,
  DesktopApi,
  DirListing,
  FileContent,
  FixPreview,
  FixRequest,
  MockLinkEvent,
  MockStatus,
  ResendResult,
  RunSummary,
  SaveResult,
  SnapshotInfo,
} from '../../shared/desktop-api.js';
import type { LiveState, MissGroup, MockReport, RecordMissResult } from '../../shared/mock-link.js';
import { jsonSchemaOf, schemas, type RunReport, type SchemaName } from '../../shared/schema.js';
import { cleanSnapshotSideFiles, initSnapshotDir } from '../store/snapshot-store.js';
import { VERSION } from '../version.js';
import { BodySearch } from './body-search.js';
import { absolutePathProblem } from './confine.js';
import { configDir as defaultConfigDir } from './config-dir.js';
import { readFileIn, saveFileIn } from './files.js';
import { previewFixIn } from './fix-preview.js';
import { hasSnapshotLayout, isEmptyDir, systemFolderProblem, type Places } from './folder-rule.js';
import { HostError } from './host-error.js';
import { listDir } from './list-dir.js';
import { loadFolder } from './load-folder.js';
import { MockLink } from './mock-link.js';
import { bundledSampleDir } from './package-root.js';
import { RecentFolders } from './recent.js';
import { readReportFile } from './report-file.js';
import { resendCallTo } from './resend.js';
import { listRuns, openRun } from './runs.js';
import { sampleCopy } from './sample.js';
import { watchFolder, type FolderWatch } from './watch.js';

export interface DesktopHostOptions {
  mode: AppInfo['mode'];
  /** Opened by the UI at start; null shows the start page. */
  initialFolder?: string | null;
  /** Recent folders and the sample's copy live here (default: TAPEDECK_CONFIG_DIR or ~/.config/tapedeck). */
  configDir?: string;
  /** Where `listDir()` starts (default: the home folder). */
  browseStart?: string;
  /** Electron's native dialog; the browser mode has none and answers null. */
  pickFolder?: () => Promise<string | null>;
  /** The demo snapshot to copy for `sampleFolder` (default: samples/demo of the package). */
  sampleSource?: string;
  /** Quiet time before a changed file is read and reported. */
  watchDebounceMs?: number;
  /** Memory for the body search's cached text (default about 64 MB). */
  searchCacheBytes?: number;
}

export class DesktopHost implements DesktopApi {
  private readonly configDir: string;
  private readonly recent: RecentFolders;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private readonly mockListeners = new Set<(event: MockLinkEvent) => void>();
  private root: string | null = null;
  private watcher: FolderWatch | null = null;
  /** The link to the mock serving the opened folder (if one announces itself). */
  private link: MockLink | null = null;
  /** Bumped by every openFolder, so an older open that finishes late does not win. */
  private generation = 0;
  private sampleTask: Promise<string> | null = null;
  private schemaCache: Record<SchemaName, object> | null = null;
  /** Real paths the user picked in the native dialog: explicit choices, opened even if not snapshots. */
  private readonly chosen = new Set<string>();
  private placesTask: Promise<Places> | null = null;
  /** Public for its diagnostics (files read, cached); searches go through `searchBodies`. */
  readonly bodySearch: BodySearch;
  initialFolder: string | null;

  constructor(private readonly options: DesktopHostOptions) {
    this.configDir = options.configDir ?? defaultConfigDir();
    this.recent = new RecentFolders(this.configDir);
    this.initialFolder = options.initialFolder ?? null;
    this.bodySearch = new BodySearch({ cacheBytes: options.searchCacheBytes });
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
    const picked = this.options.pickFolder ? await this.options.pickFolder() : null;
    if (picked) this.chosen.add(await realpath(picked).catch(() => path.resolve(picked)));
    return picked;
  }

  async listDir(dir?: string): Promise<DirListing> {
    return listDir(dir, this.options.browseStart ?? homedir(), await this.places());
  }

  /** The folder rule's reference points, as real paths (macOS: /tmp is /private/tmp). */
  private places(): Promise<Places> {
    this.placesTask ??= (async () => {
      const real = (p: string) => realpath(p).catch(() => path.resolve(p));
      return { platform: process.platform, home: await real(homedir()), tmp: await real(tmpdir()) };
    })();
    return this.placesTask;
  }

  /** Chosen by the user outside the UI's typing: the native dialog, the command line, recents. */
  private async isChosen(real: string): Promise<boolean> {
    if (this.chosen.has(real)) return true;
    if (this.initialFolder && (await realpath(this.initialFolder).catch(() => null)) === real)
      return true;
    return (await this.recent.list()).includes(real);
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
    const system = systemFolderProblem(real, await this.places());
    if (system) throw new HostError('path_outside', `refused to open ${real}: it ${system}`);
    if (!(await hasSnapshotLayout(real)) && !(await this.isChosen(real)))
      throw new HostError(
        'bad_request',
        `${real} is not a snapshot folder (it has no tapedeck.json and no calls/ folder); ` +
          'create one with "New snapshot folder", or record into it with `tapedeck record`',
      );

    const generation = ++this.generation;
    // What killed saves and recorders left behind goes first, so the load sees the files whole.
    await cleanSnapshotSideFiles(real);
    await this.watcher?.close();
    this.watcher = null;
    await this.closeLink();
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
      this.bodySearch.reset(real);
      const link = new MockLink(real, (e) => this.emitMock(link, e));
      this.link = link;
      await link.ready();
      await this.recent.add(real);
      return info;
    } catch (e) {
      if (this.watcher !== watcher) await watcher.close();
      throw e;
    }
  }

  async createFolder(dir: string): Promise<string> {
    const problem = absolutePathProblem(dir);
    if (problem)
      throw new HostError('bad_request', `cannot create ${JSON.stringify(dir)}: it ${problem}`);
    const lexical = path.resolve(dir);
    let parent: string;
    try {
      parent = await realpath(path.dirname(lexical));
    } catch {
      throw new HostError('not_found', `${path.dirname(lexical)} does not exist`);
    }
    let target = path.join(parent, path.basename(lexical));
    let existed = false;
    try {
      target = await realpath(target);
      existed = true;
    } catch {
      // Not there yet: the usual case.
    }
    const system = systemFolderProblem(target, await this.places());
    if (system) throw new HostError('path_outside', `refused to create in ${target}: it ${system}`);
    if (existed) {
      if (!(await stat(target)).isDirectory())
        throw new HostError('bad_request', `${target} exists and is not a folder`);
      // An existing folder becomes a snapshot only if there is nothing in it to expose.
      if (!(await hasSnapshotLayout(target)) && !(await isEmptyDir(target)))
        throw new HostError(
          'bad_request',
          `${target} is not empty; a new snapshot folder must be new or empty`,
        );
    } else {
      try {
        // Not recursive: a typo in the parent's name is refused instead of creating a tree; and
        // EEXIST (created meanwhile) is refused, since nobody checked what is in it.
        await mkdir(target);
      } catch (e) {
        throw new HostError('bad_request', `cannot create ${target}: ${(e as Error).message}`);
      }
    }
    await initSnapshotDir(target, `tapedeck ${VERSION}`);
    return target;
  }

  async readFile(rel: string): Promise<FileContent> {
    return readFileIn(this.requireRoot(), rel);
  }

  async saveFile(rel: string, text: string, baseHash: string | null): Promise<SaveResult> {
    const result = await saveFileIn(this.requireRoot(), rel, text, baseHash);
    // Before the watcher's event arrives, a search must already not answer from the old text.
    if (result.ok) this.bodySearch.invalidate(path.posix.normalize(rel.replace(/\\/g, '/')));
    return result;
  }

  schemas(): Promise<Record<SchemaName, object>> {
    this.schemaCache ??= Object.fromEntries(
      (Object.keys(schemas) as SchemaName[]).map((name) => [name, jsonSchemaOf(name)]),
    ) as Record<SchemaName, object>;
    return Promise.resolve(this.schemaCache);
  }

  mockStatus(): Promise<MockStatus> {
    return Promise.resolve(this.link?.status() ?? { state: 'none' });
  }

  mockMisses(): Promise<MissGroup[]> {
    return this.link ? this.link.misses() : Promise.resolve([]);
  }

  async resetMock(): Promise<LiveState> {
    return this.requireLink().reset();
  }

  async previewFix(fix: FixRequest): Promise<FixPreview> {
    return previewFixIn(this.requireRoot(), fix, await this.mockMisses());
  }

  async recordMiss(key: string): Promise<RecordMissResult> {
    if (typeof key !== 'string' || key === '')
      throw new HostError('bad_request', 'recordMiss needs the key of a kept miss');
    return this.requireLink().record(key);
  }

  async resendCall(rel: string): Promise<ResendResult> {
    const root = this.requireRoot();
    const status = await this.mockStatus();
    if (status.state !== 'connected')
      throw new HostError('no_mock', 'no mock serves this folder: start `tapedeck mock DIR`');
    return resendCallTo(root, rel, status.url);
  }

  async searchBodies(query: string): Promise<BodySearchResult> {
    return this.bodySearch.search(this.requireRoot(), query);
  }

  async openReport(file: string): Promise<MockReport> {
    return readReportFile(this.root, file, await this.places());
  }

  async listRuns(): Promise<RunSummary[]> {
    return listRuns(this.requireRoot());
  }

  async openRun(id: string): Promise<RunReport> {
    return openRun(this.requireRoot(), id);
  }

  onMock(listener: (event: MockLinkEvent) => void): () => void {
    this.mockListeners.add(listener);
    return () => {
      this.mockListeners.delete(listener);
    };
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
    await this.closeLink();
    this.root = null;
    this.bodySearch.reset(null);
  }

  private async closeLink(): Promise<void> {
    const link = this.link;
    this.link = null;
    if (!link) return;
    await link.close();
    // The app shows no mock until the next folder's link finds one.
    this.emitMock(null, { kind: 'status', status: { state: 'none' } });
  }

  private requireLink(): MockLink {
    if (!this.link) throw new HostError('no_mock', 'no mock serves this folder');
    return this.link;
  }

  /** Only the current link speaks: a closed one's late events are dropped. */
  private emitMock(from: MockLink | null, event: MockLinkEvent): void {
    if (from !== null && from !== this.link) return;
    for (const listener of this.mockListeners) {
      try {
        listener(event);
      } catch {
        // As for change events: one broken subscriber must not starve the others.
      }
    }
  }

  private emit(generation: number, event: ChangeEvent): void {
    if (generation !== this.generation) return;
    if (event.kind !== 'manifest') this.bodySearch.invalidate(event.path);
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
