/** Where the app starts when no folder is open: recent folders, the sample, open or type a path. */
import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { pickFolder } from '../app/app-info.js';
import { openFolderGuarded } from '../state/navigation.js';
import { dismissOpenError, useSnapshot } from '../state/snapshot-store.js';

function useRecentAndSample(): { recent: string[]; sample: string | null } {
  const [recent, setRecent] = useState<string[]>([]);
  const [sample, setSample] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.recentFolders().then(
      (r) => live && setRecent(r),
      () => undefined,
    );
    api.sampleFolder().then(
      (s) => live && setSample(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return { recent, sample };
}

export function StartPage() {
  const { recent, sample } = useRecentAndSample();
  const openError = useSnapshot((s) => s.openError);
  const [path, setPath] = useState('');
  return (
    <main className="start-page">
      <h1>Tapedeck</h1>
      <p className="muted">
        Record the traffic your app sends to LLM providers, look at it, edit it, replay it.
      </p>
      {openError && (
        <div className="notice notice-error" role="alert">
          {openError}{' '}
          <button type="button" onClick={dismissOpenError}>
            Dismiss
          </button>
        </div>
      )}
      <div className="start-actions">
        <button type="button" className="primary" onClick={() => void pickFolder()}>
          Open folder… <kbd>Ctrl/⌘ O</kbd>
        </button>
        {sample && (
          <button type="button" onClick={() => openFolderGuarded(sample)} title={sample}>
            Open the sample snapshot
          </button>
        )}
      </div>
      <form
        className="path-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) openFolderGuarded(path.trim());
        }}
      >
        <input
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/path/to/snapshot"
          aria-label="snapshot folder path"
        />
        <button type="submit" disabled={!path.trim()}>
          Open
        </button>
      </form>
      <section className="recent">
        <h2>Recent folders</h2>
        {recent.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <ul>
            {recent.map((r) => (
              <li key={r}>
                <button type="button" className="link" onClick={() => openFolderGuarded(r)}>
                  {r}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}
