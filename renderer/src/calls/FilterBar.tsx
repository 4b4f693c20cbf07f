/** Text search and provider / model / status filters over the calls table. */
import type { ReactTable } from '@tanstack/react-table';
import { useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import type { CallSummary } from '../../../shared/totals.js';
import { formatCount } from '../lib/format.js';
import { useMock } from '../state/mock-store.js';
import { clearBodySearch, searchBodies, useBodySearch } from '../search/body-search-store.js';
import type { Features, RunFilter, StatusFilter } from './table-model.js';

interface Props {
  table: ReactTable<Features, CallSummary>;
  calls: readonly CallSummary[];
  shown: number;
}

interface Options {
  providers: string[];
  models: string[];
  statuses: number[];
}

function optionsOf(calls: readonly CallSummary[]): Options {
  const providers = new Set<string>();
  const models = new Set<string>();
  const statuses = new Set<number>();
  for (const c of calls) {
    providers.add(c.provider);
    if (c.model) models.add(c.model);
    statuses.add(c.status);
  }
  return {
    providers: [...providers].sort(),
    models: [...models].sort(),
    statuses: [...statuses].sort((a, b) => a - b),
  };
}

/** The search waits for a pause in typing: each pass reads every row. */
const SEARCH_DELAY_MS = 120;

export function FilterBar({ table, calls, shown }: Props) {
  const options = useMemo(() => optionsOf(calls), [calls]);
  const [text, setText] = useState(() => String(table.state.globalFilter ?? ''));
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const onSearch = (value: string) => {
    setText(value);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => table.setGlobalFilter(value || undefined), SEARCH_DELAY_MS);
  };

  const columnFilter = (id: string) => {
    const column = table.getColumn(id);
    return {
      value: String(column?.getFilterValue() ?? ''),
      set: (v: string) => column?.setFilterValue(v === '' ? undefined : v),
    };
  };
  const bodies = useBodySearch((s) => s.result);
  const bodySearching = useBodySearch((s) => s.searching);
  const bodyError = useBodySearch((s) => s.error);
  const [bodyText, setBodyText] = useState(() => useBodySearch.getState().query);
  const connected = useMock((s) => s.status.state === 'connected');
  const hitsVersion = useMock((s) => s.hitsVersion);
  const [unusedOnly, setUnusedOnly] = useState(false);

  // The body search's answer filters the table to its files (the `#` column holds that filter).
  // Effect events: the table object is new on every state change, so as a dependency it would
  // set the filter again on every render the filter itself causes.
  const filterByBodies = useEffectEvent((files: readonly string[] | null) => {
    table.getColumn('seq')?.setFilterValue(files ? new Set(files) : undefined);
  });
  useEffect(() => filterByBodies(bodies?.files ?? null), [bodies]);
  // "Unused this run" follows the hits as they come, and means nothing without a mock.
  const filterUnused = useEffectEvent((on: boolean, version: number) => {
    // A new object per change of the hits: the table re-filters only when the value changes.
    const column = table.getColumn('run');
    if (!on && column?.getFilterValue() === undefined) return;
    const value: RunFilter | undefined = on
      ? { hits: useMock.getState().hits, version }
      : undefined;
    column?.setFilterValue(value);
  });
  useEffect(
    () => filterUnused(unusedOnly && connected, hitsVersion),
    [unusedOnly, connected, hitsVersion],
  );

  const provider = columnFilter('provider');
  const model = columnFilter('model');
  const status = columnFilter('status');
  const filtering =
    text !== '' ||
    bodyText !== '' ||
    unusedOnly ||
    provider.value !== '' ||
    model.value !== '' ||
    status.value !== '';

  return (
    <div className="filter-bar" role="search">
      <input
        type="search"
        id="call-search"
        placeholder="Search calls (model, path, status, id…)  /"
        aria-label="search calls"
        value={text}
        onChange={(e) => onSearch(e.target.value)}
      />
      <input
        type="search"
        className="body-search"
        placeholder="Search bodies (prompts, tools, replies)"
        aria-label="search bodies"
        value={bodyText}
        onChange={(e) => {
          setBodyText(e.target.value);
          searchBodies(e.target.value);
        }}
      />
      <select
        aria-label="provider"
        value={provider.value}
        onChange={(e) => provider.set(e.target.value)}
      >
        <option value="">All providers</option>
        {options.providers.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <select aria-label="model" value={model.value} onChange={(e) => model.set(e.target.value)}>
        <option value="">All models</option>
        {options.models.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      <select
        aria-label="status"
        value={status.value}
        onChange={(e) => status.set(e.target.value as StatusFilter | '')}
      >
        <option value="">Any status</option>
        <option value="ok">Succeeded</option>
        <option value="errors">Errors</option>
        <option value="faults">With faults</option>
        {options.statuses.map((s) => (
          <option key={s} value={`code:${s}`}>
            {s}
          </option>
        ))}
      </select>
      {connected && (
        <label
          className="check"
          title="Only the calls the running mock has not hit since its start or reset"
        >
          <input
            type="checkbox"
            checked={unusedOnly}
            onChange={(e) => setUnusedOnly(e.target.checked)}
          />{' '}
          unused this run
        </label>
      )}
      {filtering && (
        <button
          type="button"
          onClick={() => {
            onSearch('');
            setBodyText('');
            clearBodySearch();
            setUnusedOnly(false);
            table.resetColumnFilters(true);
          }}
        >
          Clear
        </button>
      )}
      <span className="count" aria-live="polite" data-testid="call-count">
        {shown === calls.length
          ? `${formatCount(calls.length)} calls`
          : `${formatCount(shown)} of ${formatCount(calls.length)} calls`}
        {bodySearching && ' · searching bodies…'}
        {!bodySearching && bodies && ` · searched in ${formatCount(Math.round(bodies.ms))} ms`}
        {bodyError && ` · body search failed: ${bodyError}`}
      </span>
    </div>
  );
}
