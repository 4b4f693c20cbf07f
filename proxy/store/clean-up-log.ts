/** One log line for what `cleanSnapshotSideFiles` found, so a user sees a crash was mended. */
import type { CleanUp } from './safe-write.js';

export function logCleanUp(done: CleanUp, log: (line: string) => void): void {
  if (done.restored.length > 0)
    log(`tapedeck: put back ${done.restored.join(', ')} (a save had been killed mid-way)`);
  if (done.removed.length > 0)
    log(`tapedeck: removed ${done.removed.length} temp file(s) left by writers that are gone`);
}
