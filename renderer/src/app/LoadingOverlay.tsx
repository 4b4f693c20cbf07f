/** While a folder loads (100,000 files take seconds): which folder, and that time is passing. */
import { useEffect, useState } from 'react';
import { useSnapshot } from '../state/snapshot-store.js';

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(t);
  }, []);
  return <span>{((now - since) / 1000).toFixed(1)} s</span>;
}

export function LoadingOverlay() {
  const path = useSnapshot((s) => s.loadingPath);
  const since = useSnapshot((s) => s.loadStartedAt);
  if (path === null) return null;
  return (
    <div className="loading-overlay" role="status" aria-live="polite">
      <div className="loading-card">
        <div className="progress" aria-hidden="true">
          <div className="progress-bar" />
        </div>
        <p>
          Loading <span className="mono">{path}</span>… <Elapsed since={since} />
        </p>
      </div>
    </div>
  );
}
