/** A call's mark in the calls table while a mock is connected: hit N times this run, or unused. */
import { useMock } from '../state/mock-store.js';

export function RunMark({ file }: { file: string }) {
  const connected = useMock((s) => s.status.state === 'connected');
  const hits = useMock((s) => s.hits[file] ?? 0);
  if (!connected) return null;
  if (hits === 0)
    return (
      <span className="run-mark unused" data-run="unused" title="not hit by the mock this run">
        unused
      </span>
    );
  return (
    <span className="badge run-mark hit" data-run={hits} title={`hit ${hits}× this run`}>
      {hits}×
    </span>
  );
}
