/**
 * The Runs view: the folder's `tapedeck load` reports on the left; the selected run's charts and
 * steps on the right, with a second run overlaid (dashed) on the per-step and over-time charts.
 */
import { useCallback, useMemo } from 'react';
import type { RunSummary } from '../../../shared/desktop-api.js';
import { formatCost, formatMs } from '../../../shared/format.js';
import { cutShortStep } from '../../../shared/load/compare.js';
import { interruptedLine } from '../../../shared/load/format.js';
import type { RunReport } from '../../../shared/schema.js';
import { formatCount, formatTimestamp } from '../lib/format.js';
import { compareWith, loadRuns, selectRun, useRuns } from '../state/runs-store.js';
import type { ChartTheme } from './chart-theme.js';
import {
  aligned,
  costData,
  costOptions,
  stepOptions,
  timeOptions,
  type CostBar,
} from './run-charts.js';
import {
  p95ByStep,
  problemsOverTime,
  shareByStep,
  stepStarts,
  vendorRequestsOverTime,
  vendorsOf,
} from './run-series.js';
import { UChart } from './UChart.js';
import {
  giveUpsOverTime,
  malformedOverTime,
  queueOverTime,
  ttfbOverTime,
  vendorSideMissing,
  vendorStepRows,
} from './vendor-side.js';

function RunList() {
  const runs = useRuns((s) => s.runs);
  const listing = useRuns((s) => s.listing);
  const listError = useRuns((s) => s.listError);
  const selected = useRuns((s) => s.selected);
  const compare = useRuns((s) => s.compare);
  return (
    <aside className="runs-list" aria-label="runs">
      <div className="runs-list-head">
        <strong>Runs</strong>
        <span className="spacer" />
        <button type="button" onClick={() => void loadRuns()} disabled={listing}>
          {listing ? 'Reading…' : 'Refresh'}
        </button>
      </div>
      {listError && (
        <div className="notice notice-error" role="alert">
          {listError}
        </div>
      )}
      {runs && runs.length === 0 && (
        <p className="muted runs-empty">
          No runs yet. <code>tapedeck load TARGET --from DIR</code> saves each run in{' '}
          <code>runs/</code>.
        </p>
      )}
      <ul>
        {(runs ?? []).map((r) =>
          r.ok ? (
            <li key={r.id}>
              <button
                type="button"
                data-testid="run-item"
                className={
                  r.id === selected
                    ? 'run-item active'
                    : r.id === compare
                      ? 'run-item compared'
                      : 'run-item'
                }
                aria-current={r.id === selected ? 'true' : undefined}
                onClick={() => selectRun(r.id)}
                title={r.target}
              >
                <span className="run-id">{r.id}</span>
                <span className="muted run-meta">
                  {formatTimestamp(r.startedAt)} · {r.steps} steps
                  {r.worstP95Ms !== null && ` · p95 ≤ ${formatMs(r.worstP95Ms)}`}
                  {r.scenario && ` · ${r.scenario}`}
                  {r.interrupted && ' · interrupted'}
                </span>
              </button>
            </li>
          ) : (
            <li key={r.id} className="run-bad" data-testid="run-bad" title={r.reason}>
              <span className="run-id">{r.file}</span>
              <span className="run-meta">{r.reason}</span>
            </li>
          ),
        )}
      </ul>
    </aside>
  );
}

function CompareSelect({ runs, selected }: { runs: RunSummary[]; selected: string }) {
  const compare = useRuns((s) => s.compare);
  const others = runs.filter((r) => r.ok && r.id !== selected);
  return (
    <label className="compare-select">
      Compare with…{' '}
      <select
        aria-label="compare with"
        value={compare ?? ''}
        onChange={(e) => compareWith(e.target.value === '' ? null : e.target.value)}
        disabled={others.length === 0}
      >
        <option value="">none</option>
        {others.map((r) => (
          <option key={r.id} value={r.id}>
            {r.id}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The target's side per step; each vendor's share is in the vendors-by-step table below. */
function StepsTable({ run, compare }: { run: RunReport; compare: RunReport | null }) {
  const cutShort = cutShortStep(run);
  return (
    <div className="run-steps-wrap">
      <table className="run-steps" data-testid="run-steps">
        <thead>
          <tr>
            <th>Concurrency</th>
            <th>Requests</th>
            <th>req/s</th>
            <th>Errors</th>
            <th>Timeouts</th>
            <th>Retries</th>
            <th>Retries / req</th>
            <th>avg</th>
            <th>p50</th>
            <th>p95</th>
            <th>p99</th>
            {compare && <th title={`p95 of ${compare.id} at the same concurrency`}>Δ p95</th>}
          </tr>
        </thead>
        <tbody>
          {run.steps.map((s) => {
            const cut = s === cutShort;
            const other = compare?.steps.find((o) => o.concurrency === s.concurrency);
            const delta = other ? s.latencyMs.p95 - other.latencyMs.p95 : null;
            return (
              <tr key={s.concurrency}>
                <td title={cut ? 'cut short: the run was stopped in this step' : undefined}>
                  {s.concurrency}
                  {cut && ' (cut short)'}
                </td>
                <td>{formatCount(s.requests)}</td>
                <td>{s.rps.toFixed(1)}</td>
                <td className={s.errors > 0 ? 'bad' : undefined}>{formatCount(s.errors)}</td>
                <td className={s.timeouts > 0 ? 'bad' : undefined}>{formatCount(s.timeouts)}</td>
                <td>{formatCount(s.retries)}</td>
                <td>{s.retriesPerRequest.toFixed(2)}</td>
                <td>{formatMs(s.latencyMs.avg)}</td>
                <td>{formatMs(s.latencyMs.p50)}</td>
                <td>{formatMs(s.latencyMs.p95)}</td>
                <td>{formatMs(s.latencyMs.p99)}</td>
                {compare && (
                  <td className={delta !== null && delta > 0 ? 'bad' : undefined}>
                    {delta === null
                      ? '—'
                      : `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${formatMs(Math.abs(delta))}`}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const DASH = '—';
const msOrDash = (ms: number | null) => (ms === null ? DASH : formatMs(ms));
const countOrDash = (n: number | null) => (n === null ? DASH : formatCount(n));

/** Each vendor at each step; a figure an older report lacks shows as "—". */
function VendorStepsTable({ run }: { run: RunReport }) {
  const rows = useMemo(() => vendorStepRows(run), [run]);
  if (rows.length === 0) return null;
  return (
    <div className="run-steps-wrap">
      <h3 className="run-section-head">Vendors by step</h3>
      <table className="run-steps run-vendor-steps" data-testid="run-vendor-steps">
        <thead>
          <tr>
            <th>Concurrency</th>
            <th className="left">Vendor</th>
            <th>Share</th>
            <th>Requests</th>
            <th>Retries</th>
            <th title="p95 time to the end of the vendor's replies, at the mock">p95</th>
            <th title="p95 time to the first byte of the vendor's replies, at the mock">
              TTFB p95
            </th>
            <th title="most requests open at the vendor in any second of the step">
              Peak in flight
            </th>
            <th title="most requests waiting for their first byte in any second of the step">
              Peak queue
            </th>
            <th title="requests the client left before the vendor's reply ended">Give-ups</th>
            <th title="replies the mock sent with a status ≥ 400">Errors</th>
            <th title="malformed replies the mock sent: counted apart from the errors">
              Parser-error risk
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr
              key={`${r.concurrency}/${r.vendor}`}
              className={
                i > 0 && rows[i - 1]?.concurrency !== r.concurrency ? 'step-first' : undefined
              }
            >
              <td>{r.concurrency}</td>
              <td className="left">{r.vendor}</td>
              <td>{`${Math.round(r.share * 100)}%`}</td>
              <td>{formatCount(r.requests)}</td>
              <td>{formatCount(r.retries)}</td>
              <td>{msOrDash(r.p95Ms)}</td>
              <td>{msOrDash(r.ttfbP95Ms)}</td>
              <td>{countOrDash(r.peakInFlight)}</td>
              <td>{countOrDash(r.peakWaiting)}</td>
              <td className={r.giveUps ? 'bad' : undefined}>{countOrDash(r.giveUps)}</td>
              <td className={r.errors ? 'bad' : undefined}>{countOrDash(r.errors)}</td>
              <td className={r.malformed ? 'warn' : undefined}>{countOrDash(r.malformed)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the mock saw at each vendor, second by second; one line saying why when it saw nothing. */
function VendorSideCharts({ run, compare }: { run: RunReport; compare: RunReport | null }) {
  const vendors = useMemo(() => vendorsOf(run, compare), [run, compare]);
  const missing = useMemo(() => vendorSideMissing(run), [run]);
  const starts = useMemo(() => stepStarts(run), [run]);
  const queue = useMemo(() => queueOverTime(run), [run]);
  const ttfb = useMemo(() => ttfbOverTime(run), [run]);
  const giveUps = useMemo(() => giveUpsOverTime(run), [run]);
  const malformed = useMemo(() => malformedOverTime(run), [run]);
  const queueOptions = useCallback(
    (t: ChartTheme) => timeOptions(t, queue, vendors, 'requests', starts),
    [queue, vendors, starts],
  );
  const ttfbOptions = useCallback(
    (t: ChartTheme) => timeOptions(t, ttfb, vendors, 'ms', starts),
    [ttfb, vendors, starts],
  );
  const giveUpOptions = useCallback(
    (t: ChartTheme) => timeOptions(t, giveUps, vendors, 'per second', starts),
    [giveUps, vendors, starts],
  );
  const malformedOptions = useCallback(
    (t: ChartTheme) => timeOptions(t, malformed, vendors, 'per second', starts),
    [malformed, vendors, starts],
  );
  const queueData = useMemo(() => aligned(queue), [queue]);
  const ttfbData = useMemo(() => aligned(ttfb), [ttfb]);
  const giveUpData = useMemo(() => aligned(giveUps), [giveUps]);
  const malformedData = useMemo(() => aligned(malformed), [malformed]);
  return (
    <section className="run-vendor-side" aria-label="vendor side" data-testid="vendor-side">
      <h3 className="run-section-head">
        Vendor side{compare ? ` of ${run.id}` : ''}, as the mock sampled it each second
      </h3>
      {missing ? (
        <p className="muted run-vendor-none" data-testid="vendor-side-none">
          {missing}
        </p>
      ) : (
        <div className="run-charts">
          <UChart
            title="Vendor queue and in-flight"
            note="dotted: in flight"
            testId="chart-vendor-queue"
            data={queueData}
            options={queueOptions}
          />
          <UChart
            title="Vendor TTFB p95"
            testId="chart-vendor-ttfb"
            data={ttfbData}
            options={ttfbOptions}
          />
          <UChart
            title="Client give-ups per vendor"
            note="left before the reply ended"
            testId="chart-vendor-giveups"
            data={giveUpData}
            options={giveUpOptions}
          />
          <UChart
            title="Parser-error risk per vendor"
            note="malformed replies, apart from errors"
            testId="chart-vendor-malformed"
            data={malformedData}
            options={malformedOptions}
          />
        </div>
      )}
    </section>
  );
}

function RunCharts({
  run,
  compare,
  runs,
}: {
  run: RunReport;
  compare: RunReport | null;
  runs: RunSummary[];
}) {
  const vendors = useMemo(() => vendorsOf(run, compare), [run, compare]);
  const p95 = useMemo(() => p95ByStep(run, compare), [run, compare]);
  const share = useMemo(() => shareByStep(run, compare), [run, compare]);
  const perVendor = useMemo(() => vendorRequestsOverTime(run, compare), [run, compare]);
  const problems = useMemo(() => problemsOverTime(run, compare), [run, compare]);
  const starts = useMemo(() => stepStarts(run), [run]);
  const bars = useMemo<CostBar[]>(
    () =>
      runs
        .filter((r): r is Extract<RunSummary, { ok: true }> => r.ok)
        .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0))
        .map((r) => ({
          id: r.id,
          usd: r.costAvoidedUsd,
          role: r.id === run.id ? 'shown' : r.id === compare?.id ? 'compared' : 'other',
        })),
    [runs, run, compare],
  );

  const p95Options = useCallback(
    (t: ChartTheme) => stepOptions(t, p95, vendors, 'ms'),
    [p95, vendors],
  );
  const shareOptions = useCallback(
    (t: ChartTheme) => stepOptions(t, share, vendors, '% of requests', () => [0, 100]),
    [share, vendors],
  );
  const vendorOptions = useCallback(
    (t: ChartTheme) => timeOptions(t, perVendor, vendors, 'requests/s', starts),
    [perVendor, vendors, starts],
  );
  const problemOptions = useCallback(
    (t: ChartTheme) => timeOptions(t, problems, vendors, 'per second', starts),
    [problems, vendors, starts],
  );
  const barOptions = useCallback((t: ChartTheme) => costOptions(t, bars), [bars]);
  const p95Data = useMemo(() => aligned(p95), [p95]);
  const shareData = useMemo(() => aligned(share), [share]);
  const vendorData = useMemo(() => aligned(perVendor), [perVendor]);
  const problemData = useMemo(() => aligned(problems), [problems]);
  const barData = useMemo(() => costData(bars), [bars]);
  const noSteps = run.steps.length === 0 ? 'this run has no steps' : null;
  const noVendors =
    perVendor.series.length === 0 ? 'no vendor side: this run had no mock' : noSteps;

  return (
    <div className="run-charts">
      <UChart
        title="p95 latency by step"
        note={compare ? `dashed: ${compare.id}` : undefined}
        testId="chart-p95"
        data={p95Data}
        options={p95Options}
        empty={noSteps}
      />
      <UChart
        title="Vendor share by step"
        note={compare ? `dashed: ${compare.id}` : undefined}
        testId="chart-share"
        data={shareData}
        options={shareOptions}
        empty={noVendors}
      />
      <UChart
        title="Requests per vendor over time"
        note={compare ? `dashed: ${compare.id}` : undefined}
        testId="chart-vendors"
        data={vendorData}
        options={vendorOptions}
        empty={noVendors}
      />
      <UChart
        title="Errors, timeouts, retries over time"
        note={compare ? `dashed: ${compare.id}` : undefined}
        testId="chart-problems"
        data={problemData}
        options={problemOptions}
        empty={noSteps}
      />
      <UChart
        title="Cost per run"
        note="vendor spend the mock avoided"
        testId="chart-cost"
        data={barData}
        options={barOptions}
        empty={bars.length === 0 ? 'no runs' : null}
      />
    </div>
  );
}

function RunDetail() {
  const runs = useRuns((s) => s.runs);
  const selected = useRuns((s) => s.selected);
  const compareId = useRuns((s) => s.compare);
  const reports = useRuns((s) => s.reports);
  const openError = useRuns((s) => s.openError);
  const run = selected ? (reports[selected] ?? null) : null;
  const compare = compareId ? (reports[compareId] ?? null) : null;
  if (!runs || !selected)
    return <section className="run-detail muted">{openError ?? 'Select a run.'}</section>;
  return (
    <section className="run-detail" aria-label="run" data-testid="run-detail">
      <div className="run-head">
        <h2>{selected}</h2>
        {run && (
          <span className="muted run-summary">
            {run.target} · {formatTimestamp(run.startedAt)}
            {run.mock?.scenario && ` · scenario ${run.mock.scenario}`}
            {run.faults.length > 0 && ` · faults: ${run.faults.join(', ')}`}
            {` · cost avoided ${formatCost(run.costAvoidedUsd)}`}
          </span>
        )}
        {run?.interrupted && (
          <span className="run-interrupted" data-testid="run-interrupted">
            {interruptedLine(run)}
          </span>
        )}
        <span className="spacer" />
        <CompareSelect runs={runs} selected={selected} />
      </div>
      {openError && (
        <div className="notice notice-error" role="alert">
          {openError}
        </div>
      )}
      {run ? (
        <>
          <RunCharts run={run} compare={compare} runs={runs} />
          <VendorSideCharts run={run} compare={compare} />
          <StepsTable run={run} compare={compare} />
          <VendorStepsTable run={run} />
        </>
      ) : (
        !openError && <p className="muted">Opening…</p>
      )}
    </section>
  );
}

export function RunsView() {
  return (
    <div className="runs-view" data-testid="runs-view">
      <RunList />
      <RunDetail />
    </div>
  );
}
