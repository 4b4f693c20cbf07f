/** In the workspace header: whether a mock serves this folder, its counts, and Reset. */
import { formatCost, formatCount } from '../lib/format.js';
import { resetMock, useMock } from '../state/mock-store.js';
import { OpenReport } from './OpenReport.js';

export function MockStatusBar() {
  const status = useMock((s) => s.status);
  const error = useMock((s) => s.actionError);
  return (
    <span className="mock-status" data-testid="mock-status" data-state={status.state}>
      {status.state === 'connected' && (
        <>
          <span className="mock-dot ok" aria-hidden="true" />
          <span
            title={`pid ${status.pid}, since ${status.live.since}${status.scenario ? `, scenario ${status.scenario}` : ''}${status.recordMisses ? ', recording misses' : ''}`}
          >
            Mock at <span className="mono">{status.url}</span> ·{' '}
            <span data-testid="mock-requests">{formatCount(status.live.requests)}</span>{' '}
            {status.live.requests === 1 ? 'request' : 'requests'} ·{' '}
            {formatCost(status.live.costAvoidedUsd)} avoided
          </span>
          <button
            type="button"
            onClick={() => void resetMock()}
            title="Start the mock's counts, sequences and misses over"
          >
            Reset
          </button>
        </>
      )}
      {status.state === 'unreachable' && (
        <>
          <span className="mock-dot error" aria-hidden="true" />
          <span className="mock-unreachable" title={status.url}>
            Mock not answering: {status.reason}
          </span>
        </>
      )}
      {status.state === 'none' && (
        <span className="muted mock-hint">
          No mock running — <code>tapedeck mock DIR</code>
        </span>
      )}
      {error && (
        <span className="notice-inline error" role="alert">
          {error}
        </span>
      )}
      <OpenReport />
    </span>
  );
}
