/** The Runs view: the opened folder's `tapedeck load` reports, the one shown, the one compared. */
import { create } from 'zustand';
import type { RunSummary } from '../../../shared/desktop-api.js';
import type { RunReport } from '../../../shared/schema.js';
import { api } from '../api.js';

export type View = 'calls' | 'runs';

export interface RunsState {
  view: View;
  runs: RunSummary[] | null;
  listing: boolean;
  listError: string | null;
  /** Loaded reports by id: the list's cost chart and the overlay need more than one. */
  reports: Record<string, RunReport>;
  selected: string | null;
  compare: string | null;
  openError: string | null;
}

const initial: RunsState = {
  view: 'calls',
  runs: null,
  listing: false,
  listError: null,
  reports: {},
  selected: null,
  compare: null,
  openError: null,
};

export const useRuns = create<RunsState>()(() => initial);

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

let listToken = 0;

export async function loadRuns(): Promise<void> {
  const mine = ++listToken;
  useRuns.setState({ listing: true, listError: null });
  try {
    const runs = await api.listRuns();
    if (mine !== listToken) return;
    useRuns.setState((s) => {
      const ids = new Set(runs.filter((r) => r.ok).map((r) => r.id));
      // A run removed on disk is no longer shown; a report re-read on the next select.
      const keep = (id: string | null) => (id !== null && ids.has(id) ? id : null);
      const selected = keep(s.selected) ?? runs.find((r) => r.ok)?.id ?? null;
      const compare = keep(s.compare) === selected ? null : keep(s.compare);
      return { listing: false, runs, selected, compare, reports: {} };
    });
    const { selected, compare } = useRuns.getState();
    await Promise.all([selected, compare].map((id) => (id ? fetchRun(id) : null)));
  } catch (err) {
    if (mine === listToken) useRuns.setState({ listing: false, listError: message(err) });
  }
}

async function fetchRun(id: string): Promise<void> {
  if (useRuns.getState().reports[id]) return;
  try {
    const report = await api.openRun(id);
    useRuns.setState((s) => ({ reports: { ...s.reports, [id]: report }, openError: null }));
  } catch (err) {
    useRuns.setState({ openError: `Could not open run ${id}: ${message(err)}` });
  }
}

export function showView(view: View): void {
  useRuns.setState({ view });
  if (view === 'runs') void loadRuns();
}

export function selectRun(id: string): void {
  useRuns.setState((s) => ({
    selected: id,
    compare: s.compare === id ? null : s.compare,
    openError: null,
  }));
  void fetchRun(id);
}

export function compareWith(id: string | null): void {
  useRuns.setState({ compare: id, openError: null });
  if (id) void fetchRun(id);
}

export function resetRuns(): void {
  listToken++;
  useRuns.setState(initial);
}
