/** Asks what to do with unsaved edits before leaving the file they are in. */
import { answerGuard, useGuard } from '../state/navigation.js';

export function GuardDialog() {
  const pending = useGuard((s) => s.pending);
  if (!pending) return null;
  return (
    <div className="modal-backdrop">
      <div
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="guard-title"
        onKeyDown={(e) => e.key === 'Escape' && void answerGuard('cancel')}
      >
        <h3 id="guard-title">Unsaved edits in {pending.path}</h3>
        <p>Save them before leaving this file?</p>
        <div className="modal-actions">
          <button
            type="button"
            className="primary"
            onClick={() => void answerGuard('save')}
            autoFocus
          >
            Save
          </button>
          <button type="button" className="danger" onClick={() => void answerGuard('discard')}>
            Discard
          </button>
          <button type="button" onClick={() => void answerGuard('cancel')}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
