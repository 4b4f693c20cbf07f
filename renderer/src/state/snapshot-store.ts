/**
 * The opened folder: its rows (an immutable array, replaced by reference on every change so
 * selectors stay cheap), load errors, manifest, and which file the detail pane shows.
 */
import { create } from 'zustand';
import type { ChangeEvent } from '../../../shared/desktop-api.js';
import type { LoadError, Manifest } from '../../../shared/schema.js';
import type { CallSummary } from '../../../shared/totals.js';
import { api } from '../api.js';
import { mergeChanges } from './merge-changes.js';

export type Phase = 'start' | 'loading' | 'open';

export interface SnapshotState {
  phase: Phase;
  /** The folder being opened, while `phase` is 'loading'. */
  loadingPath: string | null;
  loadStartedAt: number;
  /** Why the last open failed; shown where the user asked. */
  openError: string | null;
  dir: string | null;
  name: string | null;
  manifest: Manifest | null;
  calls: readonly CallSummary[];
  errors: readonly LoadError[];
  /** Scenario files seen in this session (the host lists none up front). */
  scenarios: readonly string[];
  /** Relative path of the file in the detail pane: a call, a broken file, tapedeck.json, a scenario. */
  selected: string | null;
  /** The calls table's keyboard cursor (a file); follows the selection, moves with ↑/↓ on its own. */
  cursor: string | null;
  /** Counts the times the cursor was put back on the selection, so the table scrolls to it. */
  cursorReturns: number;
}

const initial: SnapshotState = {
  phase: 'start',
  loadingPath: null,
  loadStartedAt: 0,
  openError: null,
  dir: null,
  name: null,
  manifest: null,
  calls: [],
  errors: [],
  scenarios: [],
  selected: null,
  cursor: null,
  cursorReturns: 0,
};

export const useSnapshot = create<SnapshotState>()(() => initial);

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function scenariosIn(paths: Iterable<string>, known: readonly string[]): readonly string[] {
  const set = new Set(known);
  for (const p of paths) if (p.startsWith('scenarios/') && p.endsWith('.json')) set.add(p);
  return set.size === known.length ? known : [...set].sort();
}

let openToken = 0;

export async function openFolder(path: string): Promise<boolean> {
  const token = ++openToken;
  const before = useSnapshot.getState().phase;
  useSnapshot.setState({
    phase: 'loading',
    loadingPath: path,
    loadStartedAt: performance.now(),
    openError: null,
  });
  try {
    const info = await api.openFolder(path);
    if (token !== openToken) return false;
    useSnapshot.setState({
      phase: 'open',
      loadingPath: null,
      dir: info.dir,
      name: info.name,
      manifest: info.manifest,
      calls: info.calls,
      errors: info.errors,
      scenarios: scenariosIn(
        [...info.scenarios.map((n) => `scenarios/${n}.json`), ...info.errors.map((e) => e.file)],
        [],
      ),
      selected: null,
      cursor: null,
    });
    document.title = `${info.name} — Tapedeck`;
    return true;
  } catch (err) {
    if (token !== openToken) return false;
    useSnapshot.setState({
      phase: before === 'loading' ? 'start' : before,
      loadingPath: null,
      openError: `Could not open ${path}: ${errorMessage(err)}`,
    });
    return false;
  }
}

/** Re-reads the open folder after events may have been missed (the host connection dropped). */
export async function resyncFolder(): Promise<void> {
  const { dir, phase } = useSnapshot.getState();
  if (!dir || phase !== 'open') return;
  try {
    const info = await api.openFolder(dir);
    useSnapshot.setState({ manifest: info.manifest, calls: info.calls, errors: info.errors });
  } catch (err) {
    useSnapshot.setState({ openError: `Lost track of ${dir}: ${errorMessage(err)}` });
  }
}

export function applyChanges(events: readonly ChangeEvent[]): void {
  const s = useSnapshot.getState();
  if (s.phase !== 'open' || events.length === 0) return;
  const next = mergeChanges(s, events);
  const scenarios = scenariosIn(
    events.map((e) => e.path),
    s.scenarios,
  );
  if (next === s && scenarios === s.scenarios) return;
  useSnapshot.setState({
    calls: next.calls,
    errors: next.errors,
    manifest: next.manifest,
    scenarios,
  });
}

export function setSelected(path: string | null): void {
  useSnapshot.setState((s) => ({ selected: path, cursor: path ?? s.cursor }));
}

export function setCursor(file: string | null): void {
  useSnapshot.setState({ cursor: file });
}

/** The user stayed on the open file (cancelled leaving it): the cursor goes back to its row. */
export function returnCursorToSelection(): void {
  useSnapshot.setState((s) =>
    s.selected === null ? s : { cursor: s.selected, cursorReturns: s.cursorReturns + 1 },
  );
}

export function addScenario(path: string): void {
  const s = useSnapshot.getState();
  useSnapshot.setState({ scenarios: scenariosIn([path], s.scenarios) });
}

export function dismissOpenError(): void {
  useSnapshot.setState({ openError: null });
}
