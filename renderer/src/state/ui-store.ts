/** View choices that outlive one file: the detail tab, a line to reveal, which panels are open. */
import { create } from 'zustand';
import type { PartId } from './doc-parts.js';

export type Tab = 'overview' | PartId;

export interface UiState {
  tab: Tab;
  /** A place to show in a file's editor: which file and part, which line. New object per ask. */
  reveal: { path: string; part: PartId; line: number; column?: number } | null;
  breakdownOpen: boolean;
  projectionOpen: boolean;
  folderBrowserOpen: boolean;
  /** Every column of the calls table, scrolling sideways, instead of the ones that fit. */
  allColumns: boolean;
}

export const useUi = create<UiState>()(() => ({
  tab: 'overview',
  reveal: null,
  breakdownOpen: false,
  projectionOpen: false,
  folderBrowserOpen: false,
  allColumns: false,
}));

export function setTab(tab: Tab): void {
  useUi.setState({ tab });
}

/** Opens `part`'s tab with the cursor at `line` of the file at `path` (a problem, a load error). */
export function revealProblem(path: string, part: PartId, line: number, column?: number): void {
  useUi.setState({
    tab: part,
    reveal: { path, part, line, ...(column === undefined ? {} : { column }) },
  });
}

export function togglePanel(panel: 'breakdownOpen' | 'projectionOpen'): void {
  useUi.setState((s) => ({ [panel]: !s[panel] }));
}

export function setFolderBrowserOpen(open: boolean): void {
  useUi.setState({ folderBrowserOpen: open });
}

export function setAllColumns(all: boolean): void {
  useUi.setState({ allColumns: all });
}
