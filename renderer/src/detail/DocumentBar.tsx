/**
 * The open file's title, unsaved state and save actions, plus the questions a save or a change
 * on disk raises: never answered for the user.
 */
import {
  isDirty,
  resolveConflict,
  resolveExternal,
  saveDocument,
  editPart,
  type Doc,
} from '../state/document-store.js';

function ConflictDialog({ doc }: { doc: Doc }) {
  return (
    <div className="modal-backdrop">
      <div
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="conflict-title"
        aria-describedby="conflict-text"
      >
        <h3 id="conflict-title">{doc.path} changed on disk</h3>
        <p id="conflict-text">
          Someone else wrote this file after you opened it, so your save was not written. Choose
          which version to keep.
        </p>
        <div className="modal-actions">
          <button type="button" onClick={() => void resolveConflict('theirs')}>
            Reload theirs (drop my edits)
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => void resolveConflict('overwrite')}
          >
            Overwrite with mine
          </button>
          <button type="button" className="primary" onClick={() => void resolveConflict('keep')}>
            Keep editing
          </button>
        </div>
      </div>
    </div>
  );
}

function ExternalBanner({ doc }: { doc: Doc }) {
  return (
    <div className="notice notice-warn" role="alert">
      {doc.external === 'removed'
        ? 'This file was deleted on disk while you have unsaved edits.'
        : 'This file changed on disk while you have unsaved edits.'}{' '}
      <button type="button" onClick={() => void resolveExternal('theirs')}>
        {doc.external === 'removed' ? 'Close it (drop my edits)' : 'Reload theirs (drop my edits)'}
      </button>{' '}
      <button type="button" onClick={() => void resolveExternal('keep')}>
        Keep mine
      </button>
    </div>
  );
}

export function DocumentBar({ doc }: { doc: Doc }) {
  const dirty = isDirty(doc);
  return (
    <>
      <div className="doc-bar">
        <span className="doc-path" title={doc.path}>
          {doc.path}
        </span>
        {dirty && (
          <span className="dirty" title="unsaved edits" aria-label="unsaved edits">
            ● unsaved
          </span>
        )}
        {doc.saving && <span className="muted">saving…</span>}
        {doc.notice && !dirty && <span className="saved-note">{doc.notice}</span>}
        <span className="spacer" />
        <button
          type="button"
          disabled={!dirty || doc.saving}
          onClick={() => editPart(doc.path, 'file', doc.baseText)}
          title="Put back the text on disk (undo brings your edits back)"
        >
          Revert
        </button>
        <button
          type="button"
          className="primary"
          disabled={doc.saving || (!dirty && doc.baseHash !== null)}
          onClick={() => void saveDocument()}
          title="Save (Ctrl+S / ⌘S)"
        >
          Save
        </button>
      </div>
      {doc.external && <ExternalBanner doc={doc} />}
      {doc.conflict && <ConflictDialog doc={doc} />}
    </>
  );
}
