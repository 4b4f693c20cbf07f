/**
 * What the recorded run costs when it runs N times a day, and what it would cost on another
 * model: every call's usage re-priced like a call of that model (the manifest's prices first,
 * then the genai-prices table).
 */
import { useId, useMemo, useState } from 'react';
import { totalsOf, type CallSummary } from '../../../shared/totals.js';
import { formatCount, formatMoney } from '../lib/format.js';
import { modelCatalog, project, repriceRows, type Projection } from '../lib/pricing.js';
import { useSnapshot } from '../state/snapshot-store.js';

const RUNS_KEY = 'tapedeck.runsPerDay';

function initialRuns(): number {
  const saved = Number(localStorage.getItem(RUNS_KEY));
  return Number.isFinite(saved) && saved > 0 ? saved : 100;
}

/** `p` null: nothing in the run has a known price, so there is nothing to project. */
function ProjectionRow(props: { label: string; p: Projection | null; id: string; ratio?: number }) {
  const money = (usd: number | undefined) => (usd === undefined ? '—' : formatMoney(usd));
  return (
    <tr data-projection={props.id}>
      <th scope="row">
        {props.label}
        {props.ratio !== undefined && Number.isFinite(props.ratio) && (
          <span className="muted"> ({props.ratio.toFixed(2)}×)</span>
        )}
      </th>
      <td className="num" data-per="run">
        {money(props.p?.perRun)}
      </td>
      <td className="num" data-per="day">
        {money(props.p?.perDay)}
      </td>
      <td className="num" data-per="month">
        {money(props.p?.perMonth)}
      </td>
      <td className="num" data-per="year">
        {money(props.p?.perYear)}
      </td>
    </tr>
  );
}

export default function ProjectionPanel(props: {
  all: readonly CallSummary[];
  filtered: readonly CallSummary[];
}) {
  const listId = useId();
  const [runs, setRuns] = useState(initialRuns);
  const [basis, setBasis] = useState<'filtered' | 'all'>('filtered');
  const [modelKey, setModelKey] = useState('');
  const catalog = useMemo(() => modelCatalog(), []);
  const prices = useSnapshot((s) => s.manifest?.prices);
  const rows = basis === 'all' ? props.all : props.filtered;
  const totals = useMemo(() => totalsOf(rows), [rows]);
  const recorded = totals.costUsd;
  // An exact provider/model key, else a bare model id (the first provider in the catalog's order).
  const choice = useMemo(() => {
    const wanted = modelKey.trim();
    return (
      catalog.find((m) => m.key === wanted) ?? catalog.find((m) => m.modelId === wanted) ?? null
    );
  }, [catalog, modelKey]);
  const whatIf = useMemo(
    () => (choice ? repriceRows(rows, choice, prices) : null),
    [rows, choice, prices],
  );

  const onRuns = (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) return;
    setRuns(n);
    localStorage.setItem(RUNS_KEY, String(n));
  };

  return (
    <div className="totals-panel projection" aria-label="cost projection">
      <div className="projection-inputs">
        <label>
          Runs per day{' '}
          <input
            type="number"
            min={0}
            step={1}
            value={runs}
            aria-label="runs per day"
            onChange={(e) => onRuns(e.target.value)}
          />
        </label>
        <label>
          <input
            type="radio"
            name="basis"
            checked={basis === 'filtered'}
            onChange={() => setBasis('filtered')}
          />{' '}
          one run = the filtered rows ({formatCount(props.filtered.length)} calls)
        </label>
        <label>
          <input
            type="radio"
            name="basis"
            checked={basis === 'all'}
            onChange={() => setBasis('all')}
          />{' '}
          one run = the whole snapshot ({formatCount(props.all.length)} calls)
        </label>
        <label>
          What if on{' '}
          <input
            list={listId}
            value={modelKey}
            placeholder="provider/model, e.g. openai/gpt-4o-mini"
            aria-label="what-if model"
            onChange={(e) => setModelKey(e.target.value)}
            size={34}
          />
          <datalist id={listId}>
            {catalog.map((m) => (
              <option key={m.key} value={m.key}>
                {m.providerName} · {m.label}
                {m.deprecated ? ' (deprecated)' : ''}
              </option>
            ))}
          </datalist>
        </label>
      </div>
      <table className="projection-table">
        <thead>
          <tr>
            <th />
            <th className="num">per run</th>
            <th className="num">per day</th>
            <th className="num">per month</th>
            <th className="num">per year</th>
          </tr>
        </thead>
        <tbody>
          <ProjectionRow
            label="As recorded"
            p={recorded === null ? null : project(recorded, runs)}
            id="recorded"
          />
          {whatIf && choice && (
            <ProjectionRow
              label={`On ${choice.label}`}
              p={project(whatIf.costUsd, runs)}
              id="what-if"
              ratio={recorded !== null && recorded > 0 ? whatIf.costUsd / recorded : undefined}
            />
          )}
        </tbody>
      </table>
      {choice && !whatIf && (
        <p className="notice notice-warn">No usable price for {choice.key} in the price table.</p>
      )}
      {totals.unpricedCalls > 0 && (
        <p className="muted" data-unpriced={totals.unpricedCalls}>
          {formatCount(totals.unpricedCalls)}{' '}
          {totals.unpricedCalls === 1 ? 'call has' : 'calls have'} no known price and{' '}
          {totals.unpricedCalls === 1 ? 'is' : 'are'} left out of “as recorded”: add the model under
          “prices” in tapedeck.json.
        </p>
      )}
      {modelKey !== '' && !choice && (
        <p className="muted">Pick a model from the list (provider/model).</p>
      )}
      {whatIf && whatIf.withoutUsage > 0 && (
        <p className="muted">
          {formatCount(whatIf.withoutUsage)} {whatIf.withoutUsage === 1 ? 'call has' : 'calls have'}{' '}
          no recorded usage and count as $0 on {choice?.label}.
        </p>
      )}
      <p className="muted">A month is 30 days, a year 365.</p>
    </div>
  );
}
