/**
 * The calls table's features, columns and filters (TanStack Table v9). Module-level and stable:
 * new column or feature objects on each render would rebuild the row models of 100,000 rows.
 */
import {
  columnFilteringFeature,
  columnResizingFeature,
  columnSizingFeature,
  createColumnHelper,
  createFilteredRowModel,
  createSortedRowModel,
  globalFilteringFeature,
  rowSortingFeature,
  tableFeatures,
  type FilterFn,
  type Row,
  type SortFn,
} from '@tanstack/react-table';
import type { CallSummary } from '../../../shared/totals.js';

export const features = tableFeatures({
  rowSortingFeature,
  columnFilteringFeature,
  globalFilteringFeature,
  columnSizingFeature,
  columnResizingFeature,
  filteredRowModel: createFilteredRowModel(),
  sortedRowModel: createSortedRowModel(),
});
export type Features = typeof features;
export type CallRow = Row<Features, CallSummary>;

const helper = createColumnHelper<Features, CallSummary>();

/** Ascending only; the table reverses for descending. Plain comparisons: 100k rows sort in ms. */
const byValue: SortFn<Features, CallSummary> = (a, b, id) => {
  const x = a.getValue<string | number>(id);
  const y = b.getValue<string | number>(id);
  return x < y ? -1 : x > y ? 1 : a.original.seq - b.original.seq;
};

const equalsFilter: FilterFn<Features, CallSummary> = (row, id, value) =>
  row.getValue(id) === value;

export type StatusFilter = 'ok' | 'errors' | 'faults' | `code:${number}`;

export function isErrorRow(c: CallSummary): boolean {
  return c.status >= 400 || c.outcome !== 'complete';
}

const statusFilter: FilterFn<Features, CallSummary> = (row, _id, value: StatusFilter) => {
  const c = row.original;
  if (value === 'ok') return !isErrorRow(c);
  if (value === 'errors') return isErrorRow(c);
  if (value === 'faults') return c.faults.length > 0;
  return c.status === Number(value.slice('code:'.length));
};

// One lower-cased string per row, built on first search and kept while the row object lives.
const haystacks = new WeakMap<CallSummary, string>();

function haystackOf(c: CallSummary): string {
  let h = haystacks.get(c);
  if (h === undefined) {
    h = [
      c.seq,
      c.id,
      c.file,
      c.upstream,
      c.provider,
      c.api,
      c.model ?? '',
      c.method,
      c.path,
      c.status,
      c.outcome,
      c.faults.join(' '),
    ]
      .join('\n')
      .toLowerCase();
    haystacks.set(c, h);
  }
  return h;
}

/** Every word of the search must appear somewhere in the row. */
export const textFilter: FilterFn<Features, CallSummary> = (row, _id, words: string[]) => {
  const h = haystackOf(row.original);
  return words.every((w) => h.includes(w));
};
textFilter.resolveFilterValue = (value: string) =>
  String(value).toLowerCase().split(/\s+/).filter(Boolean);

/** Only the calls whose files a body search returned. */
const inFilesFilter: FilterFn<Features, CallSummary> = (row, _id, files: ReadonlySet<string>) =>
  files.has(row.original.file);

/** This run's hits per call file; the filter keeps the calls never hit. */
export interface RunFilter {
  hits: Readonly<Record<string, number>>;
  version: number;
}
const unusedFilter: FilterFn<Features, CallSummary> = (row, _id, value: RunFilter) =>
  !value.hits[row.original.file];

/** The column the global text filter is evaluated on: once per row, over the whole row. */
export const SEARCH_COLUMN = 'request';

export const columns = helper.columns([
  helper.accessor('seq', {
    id: 'seq',
    header: '#',
    size: 56,
    minSize: 40,
    sortFn: byValue,
    filterFn: inFilesFilter,
  }),
  // How often the connected mock hit the call this run; shown only while a mock is connected.
  helper.accessor('file', {
    id: 'run',
    header: 'Run',
    size: 70,
    enableSorting: false,
    filterFn: unusedFilter,
  }),
  helper.accessor('recordedAt', { id: 'time', header: 'Time', size: 84, sortFn: byValue }),
  helper.accessor('provider', {
    id: 'provider',
    header: 'Provider',
    size: 90,
    sortFn: byValue,
    filterFn: equalsFilter,
  }),
  helper.accessor((c) => c.model ?? '', {
    id: 'model',
    header: 'Model',
    size: 190,
    sortFn: byValue,
    filterFn: equalsFilter,
  }),
  helper.accessor((c) => `${c.method} ${c.path}`, {
    id: SEARCH_COLUMN,
    header: 'Request',
    size: 230,
    sortFn: byValue,
  }),
  helper.accessor('status', {
    id: 'status',
    header: 'Status',
    size: 84,
    sortFn: byValue,
    filterFn: statusFilter,
  }),
  helper.accessor((c) => (c.stream ? 1 : 0), {
    id: 'stream',
    header: 'Stream',
    size: 60,
    sortFn: byValue,
  }),
  helper.accessor('ttfbMs', { id: 'ttfb', header: 'TTFB', size: 72, sortFn: byValue }),
  helper.accessor('totalMs', { id: 'total', header: 'Total', size: 72, sortFn: byValue }),
  helper.accessor('inputTokens', { id: 'input', header: 'In', size: 72, sortFn: byValue }),
  helper.accessor('outputTokens', { id: 'output', header: 'Out', size: 64, sortFn: byValue }),
  helper.accessor((c) => c.costUsd ?? -1, {
    id: 'cost',
    header: 'Cost',
    size: 92,
    sortFn: byValue,
  }),
]);

export const NUMERIC_COLUMNS = new Set(['seq', 'ttfb', 'total', 'input', 'output', 'cost']);

// ---- fitting the columns to the width the table has ----

/**
 * Columns that may narrow before others hide: first to a width that still reads well, and only
 * after the NARROW step below to their least. They also take the spare width (Request first).
 */
const FLEXIBLE: Readonly<Record<string, { easy: number; least: number }>> = {
  model: { easy: 160, least: 110 },
  request: { easy: 170, least: 120 },
};
const FILLERS = ['request', 'model'];
const NARROW = '(narrow)';
/**
 * What gives way, in turn, until the columns fit: a column hides, or (NARROW) the flexible ones
 * go down to their least width. `#`, Model, Status and Cost never hide: without them a row can
 * be neither told apart nor priced.
 */
const STEPS: readonly string[] = [
  'stream',
  'time',
  'ttfb',
  'provider',
  'total',
  NARROW,
  'output',
  'input',
  'run',
  'request',
];
/** The header cell that says how many columns are hidden and shows them. */
export const TOGGLE_WIDTH = 36;

export interface FitColumn {
  id: string;
  /** The column's size in the table (its default, or what the user dragged it to). */
  size: number;
  /** Resized by the user: kept at that width, never narrowed or widened. */
  fixed: boolean;
}

export interface ColumnFit {
  /** The columns shown, in order, with the width each gets. */
  shown: { id: string; width: number }[];
  /** The columns hidden to fit, in table order. */
  hidden: string[];
  /** The sum of the shown widths, px. */
  width: number;
}

function floorOf(c: FitColumn, least: boolean): number {
  const flex = FLEXIBLE[c.id];
  if (c.fixed || !flex) return c.size;
  return Math.min(c.size, least ? flex.least : flex.easy);
}

/** Widths for the columns not hidden; `over` > 0 when even the narrowest do not fit. */
function layout(
  columns: readonly FitColumn[],
  hidden: ReadonlySet<string>,
  available: number,
  least: boolean,
): { shown: { id: string; width: number }[]; over: number } {
  const shown = columns.filter((c) => !hidden.has(c.id));
  const widths = shown.map((c) => c.size);
  let over = widths.reduce((a, b) => a + b, 0) - available;
  if (over > 0) {
    // The flexible columns narrow in proportion to what each can give.
    const slack = shown.map((c) => c.size - floorOf(c, least));
    const total = slack.reduce((a, b) => a + b, 0);
    const share = total > 0 ? Math.min(1, over / total) : 0;
    shown.forEach((_, i) => {
      const give = slack[i] ?? 0;
      const cut = Math.min(give, Math.ceil(give * share));
      widths[i] = (widths[i] ?? 0) - cut;
      over -= cut;
    });
  } else if (Number.isFinite(available)) {
    const filler = FILLERS.map((id) => shown.findIndex((c) => c.id === id && !c.fixed)).find(
      (i) => i >= 0,
    );
    if (filler !== undefined) widths[filler] = (widths[filler] ?? 0) - over;
    over = 0;
  }
  return { shown: shown.map((c, i) => ({ id: c.id, width: widths[i] ?? c.size })), over };
}

/**
 * The columns that fit in `available` px, taking STEPS in turn until they do (a column in `keep`,
 * such as the sorted one, never hides), with room for the toggle that brings hidden ones back;
 * spare width goes to Request. What still does not fit scrolls sideways. `hide: false` keeps
 * every column and only narrows them.
 */
export function fitColumns(
  columns: readonly FitColumn[],
  available: number,
  keep: ReadonlySet<string> = new Set(),
  hide = true,
): ColumnFit {
  const hidden = new Set<string>();
  let least = !hide;
  let result = layout(columns, hidden, available, least);
  for (const step of hide ? STEPS : []) {
    if (result.over <= 0) break;
    if (step === NARROW) least = true;
    else if (!keep.has(step) && columns.some((c) => c.id === step)) hidden.add(step);
    else continue;
    result = layout(columns, hidden, hidden.size > 0 ? available - TOGGLE_WIDTH : available, least);
  }
  return {
    shown: result.shown,
    hidden: columns.filter((c) => hidden.has(c.id)).map((c) => c.id),
    width: result.shown.reduce((a, c) => a + c.width, 0),
  };
}
