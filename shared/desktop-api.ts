/**
 * The one interface between the desktop UI and its host. Two transports serve it: Electron IPC
 * (the preload object `satisfies DesktopApi`) and HTTP + WebSocket on 127.0.0.1 for `tapedeck ui`.
 * The renderer reaches it only through `renderer/api.ts`.
 */
import type { LiveRow, LiveState, MissGroup, MockReport, RecordMissResult } from './mock-link.js';
import type { LoadError, Manifest, RunReport, SchemaName } from './schema.js';
import type { CallSummary } from './totals.js';

export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser';
  platform: string;
  /** The folder given on the command line (or last opened), opened at start; null for the start page. */
  initialFolder: string | null;
}

export interface SnapshotInfo {
  /** Absolute real path of the opened folder. */
  dir: string;
  /** The folder's base name, for titles. */
  name: string;
  manifest: Manifest | null;
  /** In seq order. */
  calls: CallSummary[];
  /** Files that did not load, one shape everywhere: `{ file, line?, reason }`. */
  errors: LoadError[];
  /** Names of the valid scenarios (scenarios/NAME.json), sorted. */
  scenarios: string[];
}

export interface FileContent {
  /** Relative to the opened folder, forward slashes: `calls/000001-….json`, `tapedeck.json`. */
  path: string;
  text: string;
  /** sha256 hex of the text as on disk; a save must name the hash it was based on. */
  hash: string;
}

export type SaveResult =
  | { ok: true; hash: string; call?: CallSummary }
  /** The file changed on disk since `baseHash` was read: nothing was written. */
  | { ok: false; reason: 'conflict'; current: FileContent }
  /** The text is not valid JSON or does not match the file's schema: nothing was written. */
  | { ok: false; reason: 'invalid'; errors: LoadError[] };

export type ChangeEvent =
  | { kind: 'call'; path: string; call: CallSummary; hash: string }
  | { kind: 'error'; path: string; error: LoadError }
  | { kind: 'removed'; path: string }
  /** tapedeck.json or a scenario file changed. */
  | { kind: 'manifest'; path: string; manifest: Manifest | null };

export interface DirEntry {
  name: string;
  /** Absolute path. */
  path: string;
  /** A snapshot folder `openFolder` opens: it has a tapedeck.json or a calls/ folder, and is not a system folder. */
  isSnapshot: boolean;
}

export interface DirListing {
  /** Real path of the folder listed. */
  path: string;
  /** null at the top of the file system. */
  parent: string | null;
  /** Sub-folders, system trees (/etc, /proc, /usr, C:\Windows, …) left out. */
  entries: DirEntry[];
  /** The listed folder itself is a snapshot folder `openFolder` opens. */
  isSnapshot: boolean;
  /** A new snapshot folder can be created in it (`createFolder`): it is writable. */
  canCreateIn: boolean;
}

/** The `tapedeck mock` serving the opened folder, as found through its announce file. */
export type MockStatus =
  /** No folder open, no announce file, or its process is gone. */
  | { state: 'none' }
  | {
      state: 'connected';
      url: string;
      pid: number;
      startedAt: string;
      scenario: string | null;
      recordMisses: boolean;
      live: LiveState;
    }
  /** An announce file whose mock does not answer (or refuses the token); retried every few seconds. */
  | { state: 'unreachable'; url: string; reason: string };

export type MockLinkEvent =
  | { kind: 'status'; status: MockStatus }
  /** New live-log rows, oldest first, batched (at most every 50 ms). */
  | { kind: 'rows'; rows: LiveRow[] }
  /** On connecting: the mock's newest rows from before, oldest first; already in the status's counts, for the log only. */
  | { kind: 'history'; rows: LiveRow[] }
  /** After a reset or a reload: the counts and hits start over or change. */
  | { kind: 'state'; state: LiveState }
  /** The distinct misses changed (a new one, or a count); the whole list. */
  | { kind: 'misses'; misses: MissGroup[] };

/** A fix for one kept miss, built by the host and shown before anything is saved. */
export type FixRequest =
  /** Make the differing values wildcards in the closest call's signature. */
  | { kind: 'widen'; key: string }
  /** An `ignore` rule in tapedeck.json for every call on this upstream + path (+ model when byModel). */
  | { kind: 'rule'; key: string; byModel: boolean };

export interface FixPreview {
  fix: FixRequest;
  /** The file the fix edits (`calls/…json` or `tapedeck.json`), relative to the folder. */
  path: string;
  /** Pass to saveFile: a change on disk since the preview is then a conflict, never overwritten. */
  baseHash: string;
  before: string;
  after: string;
  /** One line per changed place, e.g. `$.messages[1].content: "Summarize the report" → "Summarize *"`. */
  changes: string[];
  /** How many calls the edit changes the matching of (1 for widen). */
  callsChanged: number;
  /** Keys of the kept misses that match after the edit (the fixed one first, when it does). */
  fixesMisses: string[];
}

/** A call's request sent again to the running mock, and what came back. */
export interface ResendResult {
  status: number;
  headers: Record<string, string>;
  /** The reply as text (a stream's raw SSE bytes as text; binary as base64). */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  ttfbMs: number;
  totalMs: number;
  /** The call id the mock answered with (`x-tapedeck-call`), null on a miss. */
  answeredBy: string | null;
}

export interface BodySearchResult {
  query: string;
  /** Call files whose request or response text contains the query (case-insensitive), in seq order. */
  files: string[];
  /** Calls searched, of `total` in the folder. */
  searched: number;
  total: number;
  ms: number;
}

/** One file of the opened folder's runs/ (`tapedeck load` reports), as the Runs view lists it. */
export type RunSummary =
  | {
      ok: true;
      /** The file name without `.json`; pass it to `openRun`. */
      id: string;
      startedAt: string;
      target: string;
      /** The mock's scenario, null without one or without a mock. */
      scenario: string | null;
      steps: number;
      /** The highest step p95 latency, ms; null for a run with no steps. */
      worstP95Ms: number | null;
      costAvoidedUsd: number;
      /** Stopped (Ctrl-C) before its steps ended: its last step is cut short. */
      interrupted: boolean;
    }
  /** A runs/ file that did not load: listed with why, never fatal to the list. */
  | { ok: false; id: string; file: string; reason: string };

export interface DesktopApi {
  appInfo(): Promise<AppInfo>;
  recentFolders(): Promise<string[]>;
  /** The bundled sample snapshot's path (a few calls of each provider, one streamed, one with a fault). */
  sampleFolder(): Promise<string>;
  /** Native folder dialog in Electron; null in the browser, where the UI shows `listDir` instead. */
  pickFolder(): Promise<string | null>;
  /** Folder browser for the browser mode (folders only). Defaults to the user's home folder. */
  listDir(path?: string): Promise<DirListing>;
  /**
   * Opens a snapshot folder; from then on every file operation is confined to it. Accepted: a folder
   * with tapedeck.json or calls/, or one the user chose explicitly (native dialog, command line,
   * recent folders). System folders (/, /etc, the home folder itself, drive roots, …) never.
   */
  openFolder(path: string): Promise<SnapshotInfo>;
  /**
   * Makes a new snapshot folder (tapedeck.json + calls/) at `path`, which must not exist yet (its
   * parent must) or be an empty folder, and answers its real path. It does not open it.
   */
  createFolder(path: string): Promise<string>;
  /** Paths are relative to the opened folder; anything resolving outside it is refused. */
  readFile(path: string): Promise<FileContent>;
  /** Validates, then writes atomically (temp file + rename) unless the file changed since baseHash. */
  saveFile(path: string, text: string, baseHash: string | null): Promise<SaveResult>;
  /** JSON Schemas for Monaco, by name: call, signature, faults, manifest, scenario. */
  schemas(): Promise<Record<SchemaName, object>>;
  /** The mock serving the opened folder, if any. */
  mockStatus(): Promise<MockStatus>;
  /** The mock's distinct misses (empty without a connected mock). */
  mockMisses(): Promise<MissGroup[]>;
  /** Starts the mock's counts, sequences and misses over (`POST /__tapedeck/reset`). */
  resetMock(): Promise<LiveState>;
  /** Builds the edit a fix makes, without saving: the UI shows it, then saves it with saveFile. */
  previewFix(fix: FixRequest): Promise<FixPreview>;
  /** Asks the mock to forward a kept miss to its real upstream once and save the reply as a call. */
  recordMiss(key: string): Promise<RecordMissResult>;
  /** Sends the call file's request to the running mock; refused when none is connected. */
  resendCall(path: string): Promise<ResendResult>;
  /** Searches request and response text (prompts, tool names, reply text) of every call in the folder. */
  searchBodies(query: string): Promise<BodySearchResult>;
  /** Reads a `tapedeck mock --report FILE` file: an absolute path, or relative to the opened folder. */
  openReport(path: string): Promise<MockReport>;
  /** The opened folder's `runs/*.json` files, newest first (bad files last, with their reason). */
  listRuns(): Promise<RunSummary[]>;
  /** One run report of the opened folder's runs/ by id (its file name without `.json`), validated. */
  openRun(id: string): Promise<RunReport>;
  /** Live link events (status, rows, state, misses) of the opened folder's mock. Returns unsubscribe. */
  onMock(listener: (event: MockLinkEvent) => void): () => void;
  /** Live changes in the opened folder (own saves included, with their new hash). Returns unsubscribe. */
  onChange(listener: (event: ChangeEvent) => void): () => void;
  /** Electron only: the menu's "Open folder…" (Ctrl/Cmd+O) and similar commands. */
  onMenu?(listener: (command: 'open-folder') => void): () => void;
  /** Electron only (drag and drop): the path of a dropped file or folder. */
  pathForFile?(file: unknown): string;
}

/** Methods callable over the HTTP transport: `POST /api/<method>` with a JSON array of arguments. */
export const RPC_METHODS = [
  'appInfo',
  'recentFolders',
  'sampleFolder',
  'pickFolder',
  'listDir',
  'openFolder',
  'createFolder',
  'readFile',
  'saveFile',
  'schemas',
  'mockStatus',
  'mockMisses',
  'resetMock',
  'previewFix',
  'recordMiss',
  'resendCall',
  'searchBodies',
  'openReport',
  'listRuns',
  'openRun',
] as const satisfies ReadonlyArray<keyof DesktopApi>;
export type RpcMethod = (typeof RPC_METHODS)[number];

/**
 * HTTP transport, for both sides to agree on:
 * - `GET /?token=T` sets the session cookie (HttpOnly, SameSite=Strict) and redirects to `/`.
 * - `POST /api/<method>`, body `[...args]` → 200 `{ "result": … }`, or 4xx/5xx `{ "error": { "message", "code" } }`
 *   with the status of its `RpcError` code (`RPC_STATUS`).
 * - A stale `saveFile` is 409 `{ "error": { "code": "conflict", … }, "current": FileContent }`; the client turns
 *   it back into the `{ ok: false, reason: 'conflict', current }` result. An invalid save is a 200 result.
 * - `GET /api/events` upgrades to a WebSocket that sends `ChangeEvent` JSON messages, and the
 *   mock link's events as `{ "mock": MockLinkEvent }`.
 * - Every request: the session cookie (else 401 `unauthorized`), a Host of 127.0.0.1:PORT or localhost:PORT
 *   (else 403 `forbidden`), and an Origin, when sent, equal to the server's own (else 403 `forbidden`).
 */
export const SESSION_COOKIE = 'tapedeck_session';

export interface RpcError {
  message: string;
  code:
    | 'bad_request'
    | 'unauthorized'
    | 'forbidden'
    | 'path_outside'
    | 'not_found'
    | 'no_folder'
    /** No mock serves the opened folder (or it stopped answering). */
    | 'no_mock'
    | 'conflict'
    | 'internal';
}

/** The HTTP status of each error code (the Electron transport carries the message only). */
export const RPC_STATUS: Record<RpcError['code'], number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  path_outside: 403,
  not_found: 404,
  no_folder: 409,
  no_mock: 409,
  conflict: 409,
  internal: 500,
};

/** The body of a 409 answer to a stale save. */
export interface ConflictReply {
  error: RpcError & { code: 'conflict' };
  current: FileContent;
}
