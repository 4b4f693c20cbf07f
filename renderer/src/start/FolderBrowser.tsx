/**
 * Picking a folder in browser mode: the host lists folders (a web page cannot read the disk);
 * snapshot folders are marked and open with one click.
 */
import { useEffect, useState } from 'react';
import type { DirListing } from '../../../shared/desktop-api.js';
import { api } from '../api.js';
import { openFolderGuarded } from '../state/navigation.js';
import { setFolderBrowserOpen, useUi } from '../state/ui-store.js';

function Browser() {
  const [listing, setListing] = useState<DirListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [path, setPath] = useState('');

  const go = (target?: string) => {
    setError(null);
    api.listDir(target).then(
      (l) => {
        setListing(l);
        setPath(l.path);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  };

  useEffect(() => {
    let live = true;
    api.listDir().then(
      (l) => {
        if (!live) return;
        setListing(l);
        setPath(l.path);
      },
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  const open = (target: string) => {
    setFolderBrowserOpen(false);
    openFolderGuarded(target);
  };

  return (
    <div className="modal-backdrop" onClick={() => setFolderBrowserOpen(false)}>
      <div
        className="modal folder-browser"
        role="dialog"
        aria-modal="true"
        aria-label="open a snapshot folder"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && setFolderBrowserOpen(false)}
      >
        <h3>Open a snapshot folder</h3>
        <form
          className="path-row"
          onSubmit={(e) => {
            e.preventDefault();
            go(path);
          }}
        >
          <button
            type="button"
            disabled={!listing?.parent}
            onClick={() => listing?.parent && go(listing.parent)}
            aria-label="parent folder"
          >
            ↑
          </button>
          <input value={path} onChange={(e) => setPath(e.target.value)} aria-label="folder path" />
          <button type="submit">Go</button>
        </form>
        {error && <div className="notice notice-error">{error}</div>}
        <ul className="dir-list">
          {listing?.entries.length === 0 && <li className="muted">No folders here.</li>}
          {listing?.entries.map((entry) => (
            <li key={entry.path} className={entry.isSnapshot ? 'dir snapshot' : 'dir'}>
              <button type="button" className="dir-name" onClick={() => go(entry.path)}>
                📁 {entry.name}
              </button>
              {entry.isSnapshot && (
                <button type="button" className="primary" onClick={() => open(entry.path)}>
                  Open snapshot
                </button>
              )}
            </li>
          ))}
        </ul>
        <div className="modal-actions">
          <button type="button" onClick={() => setFolderBrowserOpen(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            disabled={!listing}
            onClick={() => listing && open(listing.path)}
          >
            Open this folder
          </button>
        </div>
      </div>
    </div>
  );
}

export function FolderBrowser() {
  const open = useUi((s) => s.folderBrowserOpen);
  return open ? <Browser /> : null;
}
