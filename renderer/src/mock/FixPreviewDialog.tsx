/** The exact edit a fix makes, before anything is saved: Monaco's diff, what changes, what it fixes. */
import { lazy, Suspense } from 'react';
import { formatCount } from '../lib/format.js';
import { useMock } from '../state/mock-store.js';
import { closeFix, saveFix, useFix } from './fix-store.js';

const DiffEditor = lazy(() => import('./DiffEditor.js'));

function FixedMisses({ keys }: { keys: readonly string[] }) {
  const misses = useMock((s) => s.misses);
  if (keys.length === 0)
    return <p className="muted">It turns none of the kept misses into hits.</p>;
  return (
    <ul className="fixed-misses" data-testid="fix-fixes">
      {keys.map((k) => {
        const m = misses.find((x) => x.key === k);
        return (
          <li key={k} className="mono">
            {m
              ? `${m.method} ${m.upstream}${m.path}${m.model ? ` · ${m.model}` : ''} (${m.count}×)`
              : k}
          </li>
        );
      })}
    </ul>
  );
}

export function FixPreviewDialog() {
  const asked = useFix((s) => s.asked);
  const preview = useFix((s) => s.preview);
  const building = useFix((s) => s.building);
  const saving = useFix((s) => s.saving);
  const error = useFix((s) => s.error);
  const conflict = useFix((s) => s.conflict);
  if (!asked) return null;
  const title =
    asked.kind === 'widen'
      ? 'Widen this call'
      : `Rule for every call on this route${asked.byModel ? ' (this model only)' : ''}`;
  return (
    <div className="modal-backdrop">
      <div
        className="modal fix-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="fix-title"
        onKeyDown={(e) => e.key === 'Escape' && closeFix()}
      >
        <h3 id="fix-title">
          {title}
          {preview && <span className="muted mono"> · {preview.path}</span>}
        </h3>
        {building && <p className="muted">Building the edit…</p>}
        {error && (
          <div className="notice notice-error" role="alert">
            {error}
          </div>
        )}
        {conflict && (
          <div className="notice notice-error" role="alert" data-testid="fix-conflict">
            {conflict.path} changed on disk since this preview, so nothing was written. Close and
            preview the fix again to build it on the current file.
          </div>
        )}
        {preview && (
          <>
            <p data-testid="fix-summary">
              Changes {formatCount(preview.callsChanged)} call
              {preview.callsChanged === 1 ? '' : 's'} · fixes{' '}
              {formatCount(preview.fixesMisses.length)} miss
              {preview.fixesMisses.length === 1 ? '' : 'es'}
            </p>
            <ul className="fix-changes mono" data-testid="fix-changes">
              {preview.changes.map((c, i) => (
                <li key={i}>{c}</li>
              ))}
            </ul>
            <Suspense fallback={<p className="muted">Loading the editor…</p>}>
              <DiffEditor before={preview.before} after={preview.after} path={preview.path} />
            </Suspense>
            <h4>Misses it turns into hits</h4>
            <FixedMisses keys={preview.fixesMisses} />
          </>
        )}
        <div className="modal-actions">
          <button
            type="button"
            className="primary"
            disabled={!preview || saving || conflict !== null}
            onClick={() => void saveFix()}
          >
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={closeFix} autoFocus>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
