/**
 * What one mock run saw: totals, the calls it hit and how often, the ones it never used, faults
 * fired, and its misses with the same diff as the live panel. A report's misses cannot be recorded
 * (the run is over); widen and rule show only while this folder's mock still keeps that miss.
 */
import type { MockReport } from '../../../shared/mock-link.js';
import { formatCost, formatCount, formatTimestamp } from '../lib/format.js';
import { selectFile } from '../state/navigation.js';
import { isConnected, useMock } from '../state/mock-store.js';
import { closeReport, selectReportMiss, useReport } from '../state/report-store.js';
import { useSnapshot } from '../state/snapshot-store.js';
import { MissDetail } from './MissDetail.js';
import { MissList } from './MissesPanel.js';

function Totals({ report }: { report: MockReport }) {
  const rows: [string, string, string?][] = [
    ['folder', report.dir],
    [
      'run',
      `${formatTimestamp(report.startedAt)} – ${formatTimestamp(report.endedAt)}${report.scenario ? ` · scenario ${report.scenario}` : ''}`,
    ],
    ['requests', formatCount(report.requests), 'report-requests'],
    ['hits', formatCount(report.hits), 'report-hits'],
    ['misses', formatCount(report.unmatched), 'report-misses'],
    ['cost avoided', formatCost(report.costAvoidedUsd), 'report-avoided'],
  ];
  return (
    <dl className="report-totals" data-testid="report-totals">
      {rows.map(([label, value, testId]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd data-testid={testId}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function CallsHit({ report }: { report: MockReport }) {
  const files = useSnapshot((s) => s.calls);
  const here = new Set(files.map((c) => c.file));
  const open = (file: string) => {
    closeReport();
    selectFile(file);
  };
  return (
    <div>
      <h4>Calls hit ({formatCount(report.calls.length)})</h4>
      <ul className="report-list mono" data-testid="report-calls">
        {report.calls.map((c) => (
          <li key={c.file}>
            {here.has(c.file) ? (
              <button type="button" className="link" onClick={() => open(c.file)}>
                {c.file}
              </button>
            ) : (
              c.file
            )}{' '}
            <span className="muted">×{c.hits}</span>
          </li>
        ))}
      </ul>
      <h4>Unused calls ({formatCount(report.unused.length)})</h4>
      {report.unused.length === 0 ? (
        <p className="muted">Every call was hit.</p>
      ) : (
        <ul className="report-list mono" data-testid="report-unused">
          {report.unused.map((id) => (
            <li key={id}>{id}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Faults({ report }: { report: MockReport }) {
  const entries = Object.entries(report.faults);
  return (
    <div>
      <h4>Faults fired</h4>
      {entries.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="report-list" data-testid="report-faults">
          {entries.map(([kind, n]) => (
            <li key={kind}>
              ⚡ {kind} <span className="muted">×{n}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ReportMisses({ report }: { report: MockReport }) {
  const selected = useReport((s) => s.selectedMiss);
  const live = useMock((s) => s.misses);
  const connected = useMock(isConnected);
  const miss = report.misses.find((m) => m.key === selected) ?? report.misses[0] ?? null;
  if (report.misses.length === 0) return <p className="muted">No misses in this run.</p>;
  const fixable = connected && miss !== null && live.some((m) => m.key === miss.key);
  return (
    <div className="misses-panel report-misses">
      <MissList misses={report.misses} selected={miss?.key ?? null} onSelect={selectReportMiss} />
      <div className="miss-pane">
        {miss && <MissDetail miss={miss} fixable={fixable} record={false} />}
      </div>
    </div>
  );
}

export function ReportView({ report }: { report: MockReport }) {
  return (
    <div className="report-view" data-testid="report-view">
      <div className="report-columns">
        <Totals report={report} />
        <CallsHit report={report} />
        <Faults report={report} />
      </div>
      <h4>Misses ({formatCount(report.misses.length)})</h4>
      <ReportMisses report={report} />
    </div>
  );
}
