/** "Open report…": a path field for a `tapedeck mock --report FILE` file, then the report's view. */
import {
  closeReport,
  loadReport,
  setReportPath,
  showReportDialog,
  useReport,
} from '../state/report-store.js';
import { ReportView } from './ReportView.js';

export function OpenReport() {
  return (
    <button
      type="button"
      onClick={() => showReportDialog(true)}
      title="Open a tapedeck mock --report file"
    >
      Open report…
    </button>
  );
}

export function ReportDialog() {
  const open = useReport((s) => s.open);
  const path = useReport((s) => s.path);
  const loading = useReport((s) => s.loading);
  const error = useReport((s) => s.error);
  const report = useReport((s) => s.report);
  if (!open) return null;
  return (
    <div className="modal-backdrop">
      <div
        className={report ? 'modal report-dialog' : 'modal'}
        role="dialog"
        aria-modal="true"
        aria-labelledby="report-title"
        onKeyDown={(e) => e.key === 'Escape' && closeReport()}
      >
        <h3 id="report-title">{report ? 'Mock run report' : 'Open a mock run report'}</h3>
        <form
          className="path-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim() !== '') void loadReport(path.trim());
          }}
        >
          <input
            value={path}
            onChange={(e) => setReportPath(e.target.value)}
            placeholder="report.json (absolute, or relative to the open folder)"
            aria-label="report file"
            autoFocus
          />
          <button type="submit" className="primary" disabled={loading || path.trim() === ''}>
            {loading ? 'Opening…' : 'Open'}
          </button>
        </form>
        {!report && (
          <p className="muted">
            Written by <code>tapedeck mock DIR --report FILE</code> when the mock exits: hits,
            misses with their diffs, unused calls, faults and the cost avoided.
          </p>
        )}
        {error && (
          <div className="notice notice-error" role="alert">
            {error}
          </div>
        )}
        {report && <ReportView report={report} />}
        <div className="modal-actions">
          <button type="button" onClick={closeReport}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
