/** Every distinct request the mock could not match: a list, and the selected one's diff. */
import type { MissGroup } from '../../../shared/mock-link.js';
import { formatClock } from '../lib/format.js';
import { isConnected, selectMiss, useMock } from '../state/mock-store.js';
import { useFix } from './fix-store.js';
import { MissDetail } from './MissDetail.js';

export function MissList({
  misses,
  selected,
  onSelect,
}: {
  misses: readonly MissGroup[];
  selected: string | null;
  onSelect: (key: string) => void;
}) {
  return (
    <ul className="miss-list" role="listbox" aria-label="misses">
      {misses.map((m) => (
        <li
          key={m.key}
          role="option"
          aria-selected={m.key === selected}
          className={m.key === selected ? 'miss-item selected' : 'miss-item'}
          data-key={m.key}
          onClick={() => onSelect(m.key)}
        >
          <span className="miss-count badge">{m.count}×</span>
          <span className="miss-route mono" title={`${m.method} ${m.upstream}${m.path}`}>
            {m.method} {m.path}
          </span>
          <span className="miss-meta muted">
            {m.closest ? `closest #${m.closest.seq}` : 'no close call'} · {formatClock(m.firstSeen)}
            {m.lastSeen !== m.firstSeen && `–${formatClock(m.lastSeen)}`}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function MissesPanel() {
  const misses = useMock((s) => s.misses);
  const selected = useMock((s) => s.selectedMiss);
  const connected = useMock(isConnected);
  const saved = useFix((s) => s.saved);
  const miss = misses.find((m) => m.key === selected) ?? misses[0] ?? null;
  if (misses.length === 0)
    return (
      <div className="misses-panel empty">
        <p className="muted">
          {connected
            ? 'No misses: every request so far matched a call.'
            : 'Misses show here while a mock serves this folder.'}
        </p>
        {saved && <SavedNote />}
      </div>
    );
  return (
    <div className="misses-panel">
      <MissList misses={misses} selected={miss?.key ?? null} onSelect={selectMiss} />
      <div className="miss-pane">
        {saved && <SavedNote />}
        {miss && <MissDetail miss={miss} fixable={connected} record={connected} />}
      </div>
    </div>
  );
}

function SavedNote() {
  const saved = useFix((s) => s.saved);
  if (!saved) return null;
  return (
    <div className="notice notice-ok" role="status" data-testid="fix-saved">
      Saved {saved.path}; the mock reloads it, so the next identical request hits
      {saved.fixes > 0
        ? ` (${saved.fixes} kept miss${saved.fixes === 1 ? '' : 'es'} would now match)`
        : ''}
      .
    </div>
  );
}
