/** A `tapedeck mock --report FILE` run summary, opened to look at a run that ended long ago. */
import { create } from 'zustand';
import type { MockReport } from '../../../shared/mock-link.js';
import { api } from '../api.js';

export interface ReportState {
  /** The path field's dialog, or the report's view, is open. */
  open: boolean;
  path: string;
  loading: boolean;
  error: string | null;
  report: MockReport | null;
  selectedMiss: string | null;
}

const initial: ReportState = {
  open: false,
  path: '',
  loading: false,
  error: null,
  report: null,
  selectedMiss: null,
};

export const useReport = create<ReportState>()(() => initial);

export function showReportDialog(open: boolean): void {
  useReport.setState(open ? { open } : { open, error: null });
}

export function setReportPath(path: string): void {
  useReport.setState({ path });
}

let token = 0;

export async function loadReport(path: string): Promise<void> {
  const mine = ++token;
  useReport.setState({ loading: true, error: null });
  try {
    const report = await api.openReport(path);
    if (mine === token)
      useReport.setState({ loading: false, report, selectedMiss: report.misses[0]?.key ?? null });
  } catch (err) {
    if (mine === token)
      useReport.setState({
        loading: false,
        error: `Could not open ${path}: ${err instanceof Error ? err.message : String(err)}`,
      });
  }
}

export function closeReport(): void {
  token++;
  useReport.setState(initial);
}

export function selectReportMiss(key: string): void {
  useReport.setState({ selectedMiss: key });
}
