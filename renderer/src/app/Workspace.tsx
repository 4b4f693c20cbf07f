/** An open snapshot: header, filters, the calls table beside the detail pane, the totals bar. */
import { useTable } from '@tanstack/react-table';
import { useEffect, useMemo, type CSSProperties } from 'react';
import type { CallSummary } from '../../../shared/totals.js';
import { CallsTable } from '../calls/CallsTable.js';
import { FilterBar } from '../calls/FilterBar.js';
import { columns, features, SEARCH_COLUMN, textFilter } from '../calls/table-model.js';
import { DetailPane } from '../detail/DetailPane.js';
import { useDocument } from '../state/document-store.js';
import { openLoadError, selectFile } from '../state/navigation.js';
import { useSnapshot } from '../state/snapshot-store.js';
import { TotalsBar } from '../totals/TotalsBar.js';
import { BottomPanel } from '../mock/BottomPanel.js';
import { FixPreviewDialog } from '../mock/FixPreviewDialog.js';
import { ReportDialog } from '../mock/OpenReport.js';
import { linkMock, useMock } from '../state/mock-store.js';
import { clearBodySearch } from '../search/body-search-store.js';
import { closeReport } from '../state/report-store.js';
import { resetRuns, useRuns } from '../state/runs-store.js';
import { RunsView } from '../runs/RunsView.js';

const NO_RUN = new Set(['run']);
const NONE = new Set<string>();
import { Splitter, useDetailWidth } from './Splitter.js';
import { WorkspaceHeader } from './WorkspaceHeader.js';

export function Workspace() {
  const calls = useSnapshot((s) => s.calls);
  const errors = useSnapshot((s) => s.errors);
  const selected = useSnapshot((s) => s.selected);

  const table = useTable({
    features,
    columns,
    // The store never mutates this array; TanStack only reads it.
    data: calls as CallSummary[],
    getRowId: (c) => c.file,
    globalFilterFn: textFilter,
    getColumnCanGlobalFilter: (column) => column.id === SEARCH_COLUMN,
    columnResizeMode: 'onChange',
  });

  // The workspace lives as long as the folder is open (it is keyed by folder): so does the link.
  useEffect(() => {
    const unlink = linkMock();
    return () => {
      unlink();
      clearBodySearch();
      closeReport();
      resetRuns();
    };
  }, []);
  const connected = useMock((s) => s.status.state === 'connected');
  const view = useRuns((s) => s.view);

  const [detailWidth, onSplitterDown] = useDetailWidth();
  // With no file open the pane only holds a hint: the table gets the width.
  const fileOpen = useDocument((s) => s.doc !== null);
  const rows = table.getRowModel().rows;
  const filteredModel = table.getFilteredRowModel();
  const coreRows = table.getCoreRowModel().rows;
  const filtered = useMemo(
    () => (filteredModel.rows === coreRows ? calls : filteredModel.rows.map((r) => r.original)),
    [filteredModel, coreRows, calls],
  );

  return (
    <div className="workspace">
      <WorkspaceHeader />
      {view === 'runs' ? (
        <RunsView />
      ) : (
        <>
          <FilterBar table={table} calls={calls} shown={filtered.length} />
          <div
            className="split"
            style={{ '--detail-width': fileOpen ? `${detailWidth}px` : '240px' } as CSSProperties}
          >
            <CallsTable
              table={table}
              rows={rows}
              errors={errors}
              selected={selected}
              onOpen={selectFile}
              onOpenError={openLoadError}
              hiddenColumns={connected ? NONE : NO_RUN}
            />
            {fileOpen && <Splitter onPointerDown={onSplitterDown} />}
            <DetailPane />
          </div>
        </>
      )}
      {/* The live log and the totals are about the calls; the Runs view gives the charts the room. */}
      {view === 'calls' && <BottomPanel />}
      {view === 'calls' && <TotalsBar calls={calls} filtered={filtered} />}
      <ReportDialog />
      <FixPreviewDialog />
    </div>
  );
}
