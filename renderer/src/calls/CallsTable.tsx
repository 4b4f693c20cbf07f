/**
 * The calls table: sticky header with sort and resize, the files that did not load as error
 * rows, then only the visible call rows (TanStack Virtual), so 100,000 rows scroll like 100.
 * ↑/↓/PgUp/PgDn/Home/End move the cursor, Enter opens the call under it.
 */
import type { ReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
} from 'react';
import type { LoadError } from '../../../shared/schema.js';
import type { CallSummary } from '../../../shared/totals.js';
import { CallCell } from './CallCell.js';
import { isErrorRow, NUMERIC_COLUMNS, type CallRow, type Features } from './table-model.js';

const ROW_HEIGHT = 28;
const rowHeight = () => ROW_HEIGHT;
/**
 * Rows are keyed by their slot among the rendered ones (index mod a number larger than any
 * screenful), so a jump through the table updates the same DOM rows instead of replacing them.
 */
const SLOTS = 256;

interface Props {
  table: ReactTable<Features, CallSummary>;
  rows: readonly CallRow[];
  errors: readonly LoadError[];
  selected: string | null;
  onOpen: (file: string) => void;
}

function HeaderRow({ table }: { table: ReactTable<Features, CallSummary> }) {
  const group = table.getHeaderGroups()[0];
  if (!group) return null;
  return (
    <div className="row header-row" role="row">
      {group.headers.map((header) => {
        const column = header.column;
        const sorted = column.getIsSorted();
        const resize = header.getResizeHandler();
        return (
          <div
            key={header.id}
            role="columnheader"
            aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
            className={`cell${NUMERIC_COLUMNS.has(column.id) ? ' num' : ''}`}
            style={{ width: `var(--col-${column.id})` }}
            data-col={column.id}
          >
            <button type="button" className="sort" onClick={column.getToggleSortingHandler()}>
              {String(column.columnDef.header ?? column.id)}
              <span className="sort-mark">
                {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
              </span>
            </button>
            <span
              className={`resizer${column.getIsResizing() ? ' resizing' : ''}`}
              onMouseDown={resize}
              onTouchStart={resize}
              onDoubleClick={() => column.resetSize()}
              role="separator"
              aria-label={`resize ${String(column.columnDef.header)}`}
            />
          </div>
        );
      })}
    </div>
  );
}

function ErrorRows(props: {
  errors: readonly LoadError[];
  selected: string | null;
  onOpen: (file: string) => void;
}) {
  if (props.errors.length === 0) return null;
  return (
    <div className="error-rows" role="rowgroup" aria-label="files that did not load">
      {props.errors.map((e) => (
        <div
          key={e.file}
          role="row"
          className={`row error-row${props.selected === e.file ? ' selected' : ''}`}
          aria-selected={props.selected === e.file}
          data-file={e.file}
          onClick={() => props.onOpen(e.file)}
          title="Open the file to fix it"
        >
          <div role="gridcell" className="cell error-file">
            ⚠ {e.file}
            {e.line !== undefined && <span className="error-line">:{e.line}</span>}
          </div>
          <div role="gridcell" className="cell error-reason">
            {e.reason}
          </div>
        </div>
      ))}
    </div>
  );
}

interface RowProps {
  c: CallSummary;
  index: number;
  /** Offset inside the body, px. */
  top: number;
  selected: boolean;
  cursor: boolean;
  /** Column ids joined by commas: a string, so an unchanged column set keeps rows memoized. */
  columns: string;
  onCursor: (file: string) => void;
  onOpen: (file: string) => void;
}

/** One call row; memoized, so a scroll re-renders only the rows whose call or place changed. */
const CallRowView = memo(function CallRowView(p: RowProps) {
  const c = p.c;
  const classes = ['row', 'call-row'];
  if (p.selected) classes.push('selected');
  if (p.cursor) classes.push('cursor');
  if (isErrorRow(c)) classes.push('is-error');
  if (c.faults.length > 0) classes.push('has-fault');
  return (
    <div
      role="row"
      aria-selected={p.selected}
      aria-rowindex={p.index + 1}
      className={classes.join(' ')}
      data-file={c.file}
      data-seq={c.seq}
      style={{ transform: `translateY(${p.top}px)` }}
      onClick={() => {
        p.onCursor(c.file);
        p.onOpen(c.file);
      }}
    >
      {p.columns.split(',').map((id) => (
        <div
          key={id}
          role="gridcell"
          data-col={id}
          className={`cell${NUMERIC_COLUMNS.has(id) ? ' num' : ''}`}
          style={{ width: `var(--col-${id})` }}
        >
          <CallCell column={id} c={c} />
        </div>
      ))}
    </div>
  );
});

export function CallsTable({ table, rows, errors, selected, onOpen }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const [cursor, setCursor] = useState<string | null>(selected);
  const [scrollMargin, setScrollMargin] = useState(0);

  useEffect(() => {
    if (selected !== null) setCursor(selected);
  }, [selected]);

  // The body starts below the header and the error rows; the virtualizer counts from there.
  useLayoutEffect(() => {
    setScrollMargin(bodyRef.current?.offsetTop ?? 0);
  }, [errors.length]);

  // A new key function invalidates the virtualizer's cache of all row positions: it must change
  // only with the rows, or every scroll recomputes 100,000 measurements.
  const itemKey = useCallback((i: number) => rows[i]?.id ?? i, [rows]);
  // The React Compiler is not enabled; TanStack Virtual is used as its docs show.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: rowHeight,
    overscan: 12,
    scrollMargin,
    getItemKey: itemKey,
  });

  const moveTo = useCallback(
    (index: number) => {
      const i = Math.max(0, Math.min(rows.length - 1, index));
      const row = rows[i];
      if (!row) return;
      setCursor(row.id);
      virtualizer.scrollToIndex(i, { align: 'auto' });
    },
    [rows, virtualizer],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = cursor === null ? -1 : rows.findIndex((r) => r.id === cursor);
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at <= 0 ? 0 : at - 1,
      PageDown: at + page,
      PageUp: at - page,
      Home: 0,
      End: rows.length - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      moveTo(target);
    } else if (e.key === 'Enter' && cursor !== null) {
      e.preventDefault();
      onOpen(cursor);
    }
  };

  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  // Widths live in CSS variables, so resizing a column does not re-render the rows.
  const style = { '--table-width': `${table.getTotalSize()}px` } as Record<string, string>;
  for (const h of headers) style[`--col-${h.column.id}`] = `${h.getSize()}px`;
  const columnIds = headers.map((h) => h.column.id).join(',');

  const items = virtualizer.getVirtualItems();
  return (
    <div
      className="calls-table"
      role="grid"
      aria-rowcount={rows.length}
      aria-label="calls"
      tabIndex={0}
      ref={scrollRef}
      style={style as CSSProperties}
      onKeyDown={onKeyDown}
    >
      <HeaderRow table={table} />
      <ErrorRows errors={errors} selected={selected} onOpen={onOpen} />
      <div
        ref={bodyRef}
        role="rowgroup"
        className="calls-body"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {items.map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          return (
            <CallRowView
              key={item.index % SLOTS}
              c={row.original}
              index={item.index}
              top={item.start - scrollMargin}
              selected={row.id === selected}
              cursor={row.id === cursor}
              columns={columnIds}
              onCursor={setCursor}
              onOpen={onOpen}
            />
          );
        })}
      </div>
      {rows.length === 0 && <div className="empty-note">No calls match the filters.</div>}
    </div>
  );
}
