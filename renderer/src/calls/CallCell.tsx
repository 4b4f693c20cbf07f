/** One cell of a call row: how each column's value reads, with errors, faults and estimates marked. */
import type { CallSummary } from '../../../shared/totals.js';
import { formatClock, formatCost, formatCount, formatMs, formatTimestamp } from '../lib/format.js';
import { isErrorRow } from './table-model.js';

function Tokens({ n, estimated }: { n: number; estimated: boolean }) {
  return (
    <span title={estimated ? 'estimated with a tokenizer (the provider reported none)' : undefined}>
      {estimated && <span className="estimate">~</span>}
      {formatCount(n)}
    </span>
  );
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
      return c.usageSource ? (
        <Tokens n={c.inputTokens} estimated={c.usageSource === 'estimated'} />
      ) : (
        <>—</>
      );
    case 'output':
      return c.usageSource ? (
        <Tokens n={c.outputTokens} estimated={c.usageSource === 'estimated'} />
      ) : (
        <>—</>
      );
    case 'cost':
      return (
        <span title={c.costSource === 'provider' ? 'reported by the provider' : undefined}>
          {formatCost(c.costUsd)}
        </span>
      );
    default:
      return null;
  }
}
