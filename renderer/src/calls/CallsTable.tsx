/**
 * The calls table: sticky header with sort and resize, the files that did not load as error
 * rows, then only the visible call rows (TanStack Virtual), so 100,000 rows scroll like 100.
 * ↑/↓/PgUp/PgDn/Home/End move the cursor, Enter opens the call under it. The columns fit the
 * width the table has (fitColumns): a narrow window or a wide detail pane narrows and then hides
 * the less telling columns, so Cost stays on screen; the header's toggle shows them all again.
 */
import type { ReactTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  memo,
  useCallback,
  useEffect,
  useEffectEvent,
  useLayoutEffect,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type RefObject,
} from 'react';
import type { LoadError } from '../../../shared/schema.js';
import type { CallSummary } from '../../../shared/totals.js';
import { setCursor, useSnapshot } from '../state/snapshot-store.js';
import { setAllColumns, useUi } from '../state/ui-store.js';
import { CallCell } from './CallCell.js';
import {
  fitColumns,
  isErrorRow,
  NUMERIC_COLUMNS,
  TOGGLE_WIDTH,
  type CallRow,
  type ColumnFit,
  type Features,
} from './table-model.js';

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
  onOpenError: (error: LoadError) => void;
  /** Columns left out whatever the width (the run marks without a mock). */
  hiddenColumns: ReadonlySet<string>;
}

function headerLabel(table: ReactTable<Features, CallSummary>, id: string): string {
  const header = table.getColumn(id)?.columnDef.header;
  return typeof header === 'string' ? header : id;
}

/** The last header cell: how many columns are hidden to fit, and the switch to show them all. */
function ColumnsToggle(props: {
  table: ReactTable<Features, CallSummary>;
  hidden: readonly string[];
  all: boolean;
}) {
  const names = props.hidden.map((id) => headerLabel(props.table, id)).join(', ');
  const count = props.hidden.length;
  return (
    <div role="columnheader" className="cell columns-toggle">
      <button
        type="button"
        className="sort"
        onClick={() => setAllColumns(!props.all)}
        aria-label={
          props.all
            ? 'fit the columns to the width'
            : `show ${count} hidden column${count === 1 ? '' : 's'}: ${names}`
        }
        title={
          props.all
            ? `Fit the columns to the width again (hides ${names})`
            : `Hidden to fit the width: ${names}. Click to show every column (the table then scrolls sideways).`
        }
      >
        {props.all ? '⇤' : `+${count}`}
      </button>
    </div>
  );
}

function HeaderRow({
  table,
  fit,
  all,
}: {
  table: ReactTable<Features, CallSummary>;
  fit: ColumnFit & { toggle: boolean };
  all: boolean;
}) {
  const group = table.getHeaderGroups()[0];
  if (!group) return null;
  const widths = new Map(fit.shown.map((c) => [c.id, c.width]));
  return (
    <div className="row header-row" role="row">
      {group.headers.map((header) => {
        const column = header.column;
        const width = widths.get(column.id);
        if (width === undefined) return null;
        const sorted = column.getIsSorted();
        const startResize = header.getResizeHandler();
        // A narrowed column is resized from the width it shows, not from its unnarrowed size.
        const resize = (e: unknown) => {
          if (width !== column.getSize()) {
            table.setColumnSizing((old) => ({ ...old, [column.id]: width }));
          }
          startResize(e);
        };
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
      {fit.toggle && <ColumnsToggle table={table} hidden={fit.hidden} all={all} />}
    </div>
  );
}

function ErrorRows(props: {
  errors: readonly LoadError[];
  selected: string | null;
  onOpen: (error: LoadError) => void;
}) {
  if (props.errors.length === 0) return null;
  // The band is as wide as the visible part of the table and sticks to its left edge, so it covers
  // every row's width and its text stays readable however far the table is scrolled sideways.
  return (
    <div className="error-rows" role="rowgroup" aria-label="files that did not load">
      {props.errors.map((e) => (
        <div
          key={e.file}
          role="row"
          className={`row error-row${props.selected === e.file ? ' selected' : ''}`}
          aria-selected={props.selected === e.file}
          data-file={e.file}
          onClick={() => props.onOpen(e)}
          title={`${e.reason}\nOpen the file${e.line !== undefined ? ` at line ${e.line}` : ''} to fix it`}
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

/** The width the rows get inside the scroller (its scrollbar excluded); null before the first layout. */
function useAvailableWidth(ref: RefObject<HTMLDivElement | null>): number | null {
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

export function CallsTable({
  table,
  rows,
  errors,
  selected,
  onOpen,
  onOpenError,
  hiddenColumns,
}: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const cursor = useSnapshot((s) => s.cursor);
  const cursorReturns = useSnapshot((s) => s.cursorReturns);
  const [scrollMargin, setScrollMargin] = useState(0);
  const available = useAvailableWidth(scrollRef);
  const all = useUi((s) => s.allColumns);

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

  // The cursor came back to the open file's row (a cancelled leave): bring that row into view.
  const scrollToCursor = useEffectEvent(() => {
    const i = cursor === null ? -1 : rows.findIndex((r) => r.id === cursor);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'auto' });
  });
  useEffect(() => {
    if (cursorReturns > 0) scrollToCursor();
  }, [cursorReturns]);

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
  const sizing = table.state.columnSizing ?? {};
  const columns = headers
    .filter((h) => !hiddenColumns.has(h.column.id))
    .map((h) => ({
      id: h.column.id,
      size: h.getSize(),
      fixed: Object.hasOwn(sizing, h.column.id),
    }));
  // The sorted column stays: hiding it would hide why the rows are in this order.
  const keep = new Set((table.state.sorting ?? []).map((s) => s.id));
  const fitted = fitColumns(columns, available ?? Number.POSITIVE_INFINITY, keep);
  const toggle = fitted.hidden.length > 0;
  // Every column, asked for with the toggle: only narrowed, then the table scrolls sideways.
  const everything = fitColumns(columns, (available ?? 0) - TOGGLE_WIDTH, keep, false);
  const fit = { ...(all && toggle ? everything : fitted), toggle, hidden: fitted.hidden };
  // Widths live in CSS variables, so resizing a column does not re-render the rows.
  const style = {
    '--table-width': `${fit.width + (toggle ? TOGGLE_WIDTH : 0)}px`,
    '--view-width': available === null ? '100%' : `${available}px`,
  } as Record<string, string>;
  for (const c of fit.shown) style[`--col-${c.id}`] = `${c.width}px`;
  const columnIds = fit.shown.map((c) => c.id).join(',');

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
      {/* As wide as the rows, so sticky parts (the error band, the toggle) travel the whole width. */}
      <div className="calls-inner">
        <HeaderRow table={table} fit={fit} all={all} />
        <ErrorRows errors={errors} selected={selected} onOpen={onOpenError} />
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
    </div>
  );
}
