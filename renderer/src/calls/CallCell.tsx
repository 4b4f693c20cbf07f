/** One cell of a call row: how each column's value reads, with errors, faults and estimates marked. */
import type { CallSummary } from '../../../shared/totals.js';
import {
  ESTIMATE_MARK,
  formatClock,
  formatCost,
  formatCostBasis,
  formatCount,
  formatMs,
  formatTimestamp,
  formatTokens,
} from '../lib/format.js';
import { isErrorRow } from './table-model.js';
import { RunMark } from '../mock/RunMark.js';

/** The notation is `formatTokens`' (the CLI's too); only the mark gets its own colour here. */
function Tokens({ n, source }: { n: number; source: CallSummary['usageSource'] }) {
  const text = formatTokens(n, source, formatCount);
  if (source !== 'estimated') return <>{text}</>;
  return (
    <span title="estimated with a tokenizer (the provider reported none)">
      <span className="estimate">{ESTIMATE_MARK}</span>
      {text.slice(ESTIMATE_MARK.length)}
    </span>
  );
}

/** The words of the detail pane (`formatCostBasis`); a row cannot tell override from table. */
function costTitle(c: CallSummary): string {
  if (c.costSource === 'provider') return formatCostBasis('provider');
  if (c.usageSource === null) return formatCostBasis('no-usage');
  if (c.costUsd === null) return formatCostBasis(c.model === null ? 'no-model' : 'no-price');
  return 'priced with your prices in tapedeck.json, else the genai-prices table';
}

function Status({ c }: { c: CallSummary }) {
  const error = isErrorRow(c);
  return (
    <span className="status-cell">
      <span className={error ? 'badge badge-error' : 'badge badge-ok'}>{c.status}</span>
      {c.outcome !== 'complete' && <span className="badge badge-error">{c.outcome}</span>}
      {c.faults.length > 0 && (
        <span className="badge badge-fault" title={`faults: ${c.faults.join(', ')}`}>
          ⚡{c.faults.length}
        </span>
      )}
    </span>
  );
}

export function CallCell({ column, c }: { column: string; c: CallSummary }) {
  switch (column) {
    case 'seq':
      return <>{c.seq}</>;
    case 'run':
      return <RunMark file={c.file} />;
    case 'time':
      return <span title={formatTimestamp(c.recordedAt)}>{formatClock(c.recordedAt)}</span>;
    case 'provider':
      return <span title={`upstream: ${c.upstream}`}>{c.provider}</span>;
    case 'model':
      return <>{c.model ?? '—'}</>;
    case 'request':
      return (
        <span title={`${c.method} ${c.path}\n${c.file}`}>
          <span className="method">{c.method}</span> {c.path}
        </span>
      );
    case 'status':
      return <Status c={c} />;
    case 'stream':
      return c.stream ? <span className="badge badge-stream">SSE</span> : null;
    case 'ttfb':
      return <>{formatMs(c.ttfbMs)}</>;
    case 'total':
      return <>{formatMs(c.totalMs)}</>;
    case 'input':
      return <Tokens n={c.inputTokens} source={c.usageSource} />;
    case 'output':
      return <Tokens n={c.outputTokens} source={c.usageSource} />;
    case 'cost':
      if (c.usageCountedIn !== null)
        return (
          <span className="muted" title={`usage counted once, in call ${c.usageCountedIn}`}>
            {formatCost(c.costUsd)}
          </span>
        );
      return <span title={costTitle(c)}>{formatCost(c.costUsd)}</span>;
    default:
      return null;
  }
}
