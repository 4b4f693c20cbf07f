/** One miss: its diff against the closest call, why it failed, and the fixes for it. */
import { useState } from 'react';
import type { MissGroup } from '../../../shared/mock-link.js';
import { formatTimestamp } from '../lib/format.js';
import { selectFile } from '../state/navigation.js';
import { previewFix, recordMiss, useFix } from './fix-store.js';
import { MissDiff, WhyItFailed } from './MissDiff.js';

function RecordResult({ keyOf }: { keyOf: string }) {
  const result = useFix((s) => s.records[keyOf]);
  if (result === undefined) return null;
  if (result === 'pending') return <span className="muted">Recording…</span>;
  if (!result.ok)
    return (
      <span className="notice-inline error" role="alert" data-testid="record-result">
        Not recorded: {result.reason}
      </span>
    );
  return (
    <span className="notice-inline ok" data-testid="record-result">
      Recorded as{' '}
      <button type="button" className="link" onClick={() => selectFile(result.file)}>
        {result.file}
      </button>{' '}
      (upstream answered {result.status})
    </span>
  );
}

function FixActions({ miss, record }: { miss: MissGroup; record: boolean }) {
  const [byModel, setByModel] = useState(false);
  return (
    <div className="miss-actions">
      <button
        type="button"
        className="primary"
        disabled={miss.closest === null}
        title={
          miss.closest === null
            ? 'No recorded call to widen'
            : "Make the differing values wildcards in the closest call's signature"
        }
        onClick={() => void previewFix({ kind: 'widen', key: miss.key })}
      >
        Widen this call
      </button>
      <button
        type="button"
        onClick={() => void previewFix({ kind: 'rule', key: miss.key, byModel })}
        title={`An ignore rule in tapedeck.json for every call on ${miss.upstream} ${miss.path}`}
      >
        Rule for every call on this route
      </button>
      <label
        className="check"
        title={miss.model ? `only calls of ${miss.model}` : 'this request names no model'}
      >
        <input
          type="checkbox"
          checked={byModel}
          disabled={miss.model === null}
          onChange={(e) => setByModel(e.target.checked)}
        />{' '}
        only this model
      </label>
      {record && (
        <>
          <button
            type="button"
            disabled={!miss.recordable}
            title={
              miss.recordable
                ? 'Forward this request to the real upstream once and save the reply as a new call'
                : 'The mock no longer holds this request (or it was refused), so it cannot forward it'
            }
            onClick={() => void recordMiss(miss.key)}
          >
            Record it
          </button>
          <RecordResult keyOf={miss.key} />
        </>
      )}
    </div>
  );
}

export function MissDetail({
  miss,
  fixable,
  record,
}: {
  miss: MissGroup;
  /** The folder is open and the mock still keeps this miss: widen and rule can be built. */
  fixable: boolean;
  record: boolean;
}) {
  return (
    <div className="miss-detail" data-testid="miss-detail" data-key={miss.key}>
      {/* Stays in view while the diff scrolls: what the miss is and what to do about it. */}
      <div className="miss-top">
        <div className="miss-head">
          <strong className="mono">
            {miss.method} {miss.upstream}
            {miss.path}
          </strong>
          {miss.model && <span className="muted"> · {miss.model}</span>}
          <span className="muted">
            {' '}
            · {miss.count}× · first {formatTimestamp(miss.firstSeen)} · last{' '}
            {formatTimestamp(miss.lastSeen)}
          </span>
          {miss.closest && (
            <>
              {' '}
              · closest{' '}
              <button
                type="button"
                className="link"
                onClick={() => selectFile(miss.closest?.file ?? null)}
              >
                #{miss.closest.seq}
              </button>
            </>
          )}
        </div>
        {fixable && <FixActions miss={miss} record={record} />}
      </div>
      <WhyItFailed miss={miss} />
      <MissDiff miss={miss} />
    </div>
  );
}
