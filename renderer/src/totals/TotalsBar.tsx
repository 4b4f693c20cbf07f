/**
 * Always visible: calls, tokens and cost of the whole snapshot and of the rows the filters
 * leave, from `totalsOf` (the function `tapedeck inspect` uses), with a per-provider and
 * per-model breakdown and the cost projection on demand.
 */
import { lazy, Suspense, useMemo } from 'react';
import { totalsOf, type Bucket, type CallSummary, type Totals } from '../../../shared/totals.js';
import { formatCount, formatTotalCost } from '../lib/format.js';
import { togglePanel, useUi } from '../state/ui-store.js';

// Monaco-free and small, but only wanted by some: loaded when the panel is first opened.
const ProjectionPanel = lazy(() => import('./ProjectionPanel.js'));

function Figures({ label, t, id }: { label: string; t: Totals; id: string }) {
  return (
    <span
      className="totals-figures"
      data-totals={id}
      data-calls={t.calls}
      data-input={t.inputTokens}
      data-output={t.outputTokens}
      data-cost={t.costUsd ?? undefined}
      data-unpriced={t.unpricedCalls}
    >
      <span className="totals-label">{label}</span> {formatCount(t.calls)} calls ·{' '}
      {formatCount(t.inputTokens)} in · {formatCount(t.outputTokens)} out ·{' '}
      <strong title={unpricedNote(t)}>{formatTotalCost(t)}</strong>
    </span>
  );
}

function unpricedNote(b: Bucket): string | undefined {
  if (b.unpricedCalls === 0) return undefined;
  return `${formatCount(b.unpricedCalls)} ${b.unpricedCalls === 1 ? 'call has' : 'calls have'} no known price and ${b.costUsd === null ? 'nothing is priced' : 'are left out of this sum'}: add the model under "prices" in tapedeck.json`;
}

function BucketTable({ title, buckets }: { title: string; buckets: Record<string, Bucket> }) {
  const rows = Object.entries(buckets).sort(
    (a, b) => (b[1].costUsd ?? -1) - (a[1].costUsd ?? -1) || b[1].calls - a[1].calls,
  );
  return (
    <table className="breakdown">
      <thead>
        <tr>
          <th>{title}</th>
          <th className="num">calls</th>
          <th className="num">in</th>
          <th className="num">out</th>
          <th className="num">cost</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, b]) => (
          <tr key={name} data-bucket={name}>
            <td>{name}</td>
            <td className="num">{formatCount(b.calls)}</td>
            <td className="num">{formatCount(b.inputTokens)}</td>
            <td className="num">{formatCount(b.outputTokens)}</td>
            <td className="num" title={unpricedNote(b)}>
              {formatTotalCost(b)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TotalsBar(props: {
  calls: readonly CallSummary[];
  filtered: readonly CallSummary[];
}) {
  const all = useMemo(() => totalsOf(props.calls), [props.calls]);
  const filteredIsAll = props.filtered === props.calls;
  const shown = useMemo(
    () => (filteredIsAll ? all : totalsOf(props.filtered)),
    [filteredIsAll, all, props.filtered],
  );
  const breakdownOpen = useUi((s) => s.breakdownOpen);
  const projectionOpen = useUi((s) => s.projectionOpen);
  return (
    <footer className="totals" aria-label="totals">
      {breakdownOpen && (
        <div className="totals-panel">
          <p className="muted">
            {filteredIsAll ? 'The whole snapshot' : 'The filtered rows'}, by provider and by model.
          </p>
          <div className="breakdowns">
            <BucketTable title="provider" buckets={shown.byProvider} />
            <BucketTable title="model" buckets={shown.byModel} />
          </div>
        </div>
      )}
      {projectionOpen && (
        <Suspense fallback={<div className="totals-panel muted">Loading prices…</div>}>
          <ProjectionPanel all={props.calls} filtered={props.filtered} />
        </Suspense>
      )}
      <div className="totals-line">
        <Figures label="Snapshot" t={all} id="all" />
        {!filteredIsAll && <Figures label="Filtered" t={shown} id="filtered" />}
        <span className="spacer" />
        <button
          type="button"
          aria-pressed={breakdownOpen}
          onClick={() => togglePanel('breakdownOpen')}
        >
          By provider & model
        </button>
        <button
          type="button"
          aria-pressed={projectionOpen}
          onClick={() => togglePanel('projectionOpen')}
        >
          Cost projection
        </button>
      </div>
    </footer>
  );
}
