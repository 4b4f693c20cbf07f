/**
 * The live request log: one row per request the mock answered, newest first, virtualized, kept
 * to the newest LOG_CAPACITY rows, pausable (rows are then counted, not shown), filterable.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef } from 'react';
import type { LiveOutcome, LiveRow } from '../../../shared/mock-link.js';
import { formatCost, formatCount, formatMs } from '../lib/format.js';
import { selectFile } from '../state/navigation.js';
import {
  LOG_CAPACITY,
  logRows,
  selectMiss,
  setLogFilter,
  setPaused,
  useMock,
  type OutcomeFilter,
} from '../state/mock-store.js';
import { useSnapshot } from '../state/snapshot-store.js';
import { filterRows } from './live-filter.js';

const ROW_HEIGHT = 24;
/**
 * Rows are keyed by their slot (index mod a number above any screenful), as in the calls table:
 * under load every row moves down each frame, and updating the same elements is far cheaper
 * than replacing a screenful of them.
 */
const SLOTS = 128;
const OUTCOMES: readonly LiveOutcome[] = ['hit', 'miss', 'passthrough', 'recorded', 'refused'];

function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function Outcome({ r, seq }: { r: LiveRow; seq: number | undefined }) {
  if ((r.outcome === 'hit' || r.outcome === 'recorded') && r.file !== null) {
    const file = r.file;
    return (
      <span className={`outcome outcome-${r.outcome}`}>
        {r.outcome}{' '}
        <button
          type="button"
          className="link"
          onClick={() => selectFile(file)}
          title={`open ${file}`}
        >
          {seq === undefined ? (r.call ?? file) : `#${seq} call`}
        </button>
      </span>
    );
  }
  if ((r.outcome === 'miss' || r.outcome === 'passthrough') && r.missKey !== null) {
    const key = r.missKey;
    return (
      <span className={`outcome outcome-${r.outcome}`}>
        <button
          type="button"
          className="link"
          onClick={() => selectMiss(key)}
          title="show the miss"
        >
          {r.outcome}
        </button>
      </span>
    );
  }
  return <span className={`outcome outcome-${r.outcome}`}>{r.outcome}</span>;
}

const Row = memo(function Row({
  r,
  top,
  seq,
}: {
  r: LiveRow;
  top: number;
  seq: number | undefined;
}) {
  return (
    <div
      className={`live-row live-${r.outcome}`}
      role="row"
      data-testid="live-row"
      data-time={r.time}
      data-outcome={r.outcome}
      data-id={r.id}
      style={{ transform: `translateY(${top}px)` }}
    >
      <span className="lc lc-time mono" role="gridcell">
        {clock(r.time)}
      </span>
      <span className="lc lc-upstream" role="gridcell">
        {r.upstream}
      </span>
      <span className="lc lc-request" role="gridcell" title={`${r.method} ${r.path}`}>
        <span className="method">{r.method}</span> {r.path}
      </span>
      <span className="lc lc-outcome" role="gridcell">
        <Outcome r={r} seq={seq} />
      </span>
      <span className="lc lc-faults" role="gridcell" title={r.faults.join(', ')}>
        {r.faults.length > 0 ? `⚡ ${r.faults.join(', ')}` : ''}
      </span>
      <span className="lc lc-status num" role="gridcell">
        {r.status}
      </span>
      <span className="lc lc-ms num" role="gridcell">
        {r.ttfbMs === null ? '—' : formatMs(r.ttfbMs)}
      </span>
      <span className="lc lc-ms num" role="gridcell">
        {formatMs(r.totalMs)}
      </span>
      <span className="lc lc-cost num" role="gridcell">
        {r.costAvoidedUsd === null ? '—' : formatCost(r.costAvoidedUsd)}
      </span>
    </div>
  );
});

function LogToolbar({ shown, total }: { shown: number; total: number }) {
  const paused = useMock((s) => s.paused);
  const fresh = useMock((s) => s.newWhilePaused);
  const text = useMock((s) => s.textFilter);
  const outcome = useMock((s) => s.outcomeFilter);
  const dropped = useMock((s) => s.dropped);
  return (
    <div className="live-toolbar">
      <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      {paused && fresh > 0 && (
        <span className="badge badge-new" data-testid="live-new">
          {formatCount(fresh)} new
        </span>
      )}
      <input
        type="search"
        placeholder="Filter the log"
        aria-label="filter the live log"
        value={text}
        onChange={(e) => setLogFilter(e.target.value, outcome)}
      />
      <select
        aria-label="outcome"
        value={outcome}
        onChange={(e) => setLogFilter(text, e.target.value as OutcomeFilter)}
      >
        <option value="">Any outcome</option>
        {OUTCOMES.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <span className="muted live-count" data-testid="live-count">
        {shown === total
          ? `${formatCount(total)} rows`
          : `${formatCount(shown)} of ${formatCount(total)} rows`}
        {dropped > 0 &&
          ` · ${formatCount(dropped)} older rows dropped (the log keeps the newest ${formatCount(LOG_CAPACITY)})`}
      </span>
    </div>
  );
}

export function LiveLog() {
  const version = useMock((s) => s.logVersion);
  const text = useMock((s) => s.textFilter);
  const outcome = useMock((s) => s.outcomeFilter);
  const calls = useSnapshot((s) => s.calls);
  const seqOf = useMemo(() => new Map(calls.map((c) => [c.file, c.seq])), [calls]);
  // Newest first: a new row shows at the top without scrolling.
  const all = useMemo(() => {
    void version;
    return logRows().reverse();
  }, [version]);
  const rows = useMemo(() => filterRows(all, text, outcome), [all, text, outcome]);
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  return (
    <div className="live-log">
      <LogToolbar shown={rows.length} total={all.length} />
      <div className="live-head" role="row">
        <span className="lc lc-time">Time</span>
        <span className="lc lc-upstream">Upstream</span>
        <span className="lc lc-request">Request</span>
        <span className="lc lc-outcome">Outcome</span>
        <span className="lc lc-faults">Faults</span>
        <span className="lc lc-status num">Status</span>
        <span className="lc lc-ms num">TTFB</span>
        <span className="lc lc-ms num">Total</span>
        <span className="lc lc-cost num">Avoided</span>
      </div>
      <div className="live-scroll" ref={scrollRef} role="grid" aria-label="live log">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const r = rows[item.index];
            if (!r) return null;
            return (
              <Row
                key={item.index % SLOTS}
                r={r}
                top={item.start}
                seq={r.file === null ? undefined : seqOf.get(r.file)}
              />
            );
          })}
        </div>
        {rows.length === 0 && (
          <p className="muted empty-note">
            {all.length === 0
              ? 'No requests yet: they show here as the mock answers them.'
              : 'No rows match the filter.'}
          </p>
        )}
      </div>
    </div>
  );
}
