/**
 * Picking a folder in browser mode: the host lists folders (a web page cannot read the disk);
 * snapshot folders are marked and open with one click. Only snapshot folders open (the host's
 * rule); any other folder can get a new, empty snapshot folder inside it.
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
  const [newName, setNewName] = useState('');

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

  const name = newName.trim();
  // One path segment: the host refuses anything else too, this only says so before asking.
  const nameOk = name !== '' && name !== '.' && name !== '..' && !/[\\/\0]/.test(name);
  const create = () => {
    if (!listing || !nameOk) return;
    const sep = listing.path.includes('\\') && !listing.path.includes('/') ? '\\' : '/';
    const target = listing.path.replace(/[\\/]+$/, '') + sep + name;
    setError(null);
    api
      .createFolder(target)
      .then(open, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
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
        <form
          className="path-row"
          onSubmit={(e) => {
            e.preventDefault();
            create();
          }}
        >
          <input
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
            placeholder="new-snapshot"
            aria-label="new snapshot folder name"
            disabled={!listing?.canCreateIn}
          />
          <button type="submit" disabled={!listing?.canCreateIn || !nameOk}>
            New snapshot folder here
          </button>
        </form>
        <div className="modal-actions">
          <button type="button" onClick={() => setFolderBrowserOpen(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            disabled={!listing?.isSnapshot}
            title={
              listing && !listing.isSnapshot
                ? 'Not a snapshot folder (no tapedeck.json, no calls/)'
                : undefined
            }
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
