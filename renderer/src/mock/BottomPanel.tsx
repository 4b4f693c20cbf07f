/** The workspace's bottom panel: the live log and the misses, resizable by its top edge, collapsible. */
import type { PointerEvent } from 'react';
import { useDragSize } from '../app/drag-size.js';
import { formatCount } from '../lib/format.js';
import { setPanel, useMock, type PanelTab } from '../state/mock-store.js';
import { LiveLog } from './LiveLog.js';
import { MissesPanel } from './MissesPanel.js';

const KEY = 'tapedeck.bottomHeight';
const MIN = 120;
/** What the panel leaves above it at least: header, filters and a few table rows. */
const ABOVE_MIN = 260;

function useHeight(): [number, (e: PointerEvent<HTMLDivElement>) => void] {
  return useDragSize({
    key: KEY,
    min: MIN,
    max: () => window.innerHeight - ABOVE_MIN,
    initial: () => 260,
    axis: 'y',
  });
}

function Tab({ id, label, active }: { id: PanelTab; label: string; active: boolean }) {
  return (
    <button
      type="button"
      role="tab"
      aria-selected={active}
      className={active ? 'tab active' : 'tab'}
      onClick={() => setPanel(true, id)}
    >
      {label}
    </button>
  );
}

export function BottomPanel() {
  const open = useMock((s) => s.panelOpen);
  const tab = useMock((s) => s.panelTab);
  const misses = useMock((s) => s.misses.length);
  const [height, onPointerDown] = useHeight();
  return (
    <section
      className={open ? 'bottom-panel' : 'bottom-panel collapsed'}
      style={open ? { height: `min(${height}px, calc(100vh - ${ABOVE_MIN}px))` } : undefined}
      aria-label="mock"
    >
      {open && (
        <div
          className="hsplitter"
          role="separator"
          aria-orientation="horizontal"
          aria-label="resize the bottom panel"
          onPointerDown={onPointerDown}
        />
      )}
      <div className="panel-tabs" role="tablist">
        <Tab id="live" label="Live" active={open && tab === 'live'} />
        <Tab
          id="misses"
          label={`Misses (${formatCount(misses)})`}
          active={open && tab === 'misses'}
        />
        <span className="spacer" />
        <button
          type="button"
          className="panel-toggle"
          onClick={() => setPanel(!open)}
          aria-expanded={open}
          title={open ? 'Collapse the panel' : 'Show the panel'}
        >
          {open ? '▾' : '▴'}
        </button>
      </div>
      {open && (
        <div className="panel-body" role="tabpanel">
          {tab === 'live' ? <LiveLog /> : <MissesPanel />}
        </div>
      )}
    </section>
  );
}
