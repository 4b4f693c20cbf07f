/**
 * The running mock serving the open folder, as the host relays it: its status, the live request
 * log, this run's hits per call file and the distinct misses. Rows land in a ring buffer outside
 * React, at most once per animation frame; the store only carries a version the log re-reads on.
 */
import { create } from 'zustand';
import type { MockLinkEvent, MockStatus } from '../../../shared/desktop-api.js';
import type { LiveOutcome, LiveRow, LiveState, MissGroup } from '../../../shared/mock-link.js';
import { api } from '../api.js';
import { RingBuffer } from '../mock/ring-buffer.js';
import { createRowBatcher, type Schedule } from '../mock/row-batcher.js';
import { forgetFixes } from '../mock/fix-store.js';

/** Rows the live log keeps; older ones are dropped (and the log says how many). */
export const LOG_CAPACITY = 5000;

export type OutcomeFilter = LiveOutcome | '';
export type PanelTab = 'live' | 'misses';

export interface MockState {
  status: MockStatus;
  /**
   * Hits per call file this run: the mock's counts, plus the hit rows since. Updated in place (a
   * copy per frame of 100,000 entries would cost more than the rows); `hitsVersion` says when.
   */
  hits: Readonly<Record<string, number>>;
  hitsVersion: number;
  misses: readonly MissGroup[];
  /** Bumped whenever the shown rows change; the log's memo key. */
  logVersion: number;
  /** Rows pushed out of the log (older than the newest LOG_CAPACITY). */
  dropped: number;
  paused: boolean;
  /** Rows that arrived while paused, not shown until resumed. */
  newWhilePaused: number;
  textFilter: string;
  outcomeFilter: OutcomeFilter;
  selectedMiss: string | null;
  panelOpen: boolean;
  panelTab: PanelTab;
  /** Why the last action on the mock (reset) failed. */
  actionError: string | null;
}

const initial: MockState = {
  status: { state: 'none' },
  hits: {},
  hitsVersion: 0,
  misses: [],
  logVersion: 0,
  dropped: 0,
  paused: false,
  newWhilePaused: 0,
  textFilter: '',
  outcomeFilter: '',
  selectedMiss: null,
  panelOpen: true,
  panelTab: 'live',
  actionError: null,
};

export const useMock = create<MockState>()(() => initial);

const log = new RingBuffer<LiveRow>(LOG_CAPACITY);
const held = new RingBuffer<LiveRow>(LOG_CAPACITY);

/** The rows the log shows, oldest first (a fresh array; call it when `logVersion` changes). */
export function logRows(): LiveRow[] {
  return log.toArray();
}

const frame: Schedule = (run) => {
  const id = requestAnimationFrame(run);
  return () => cancelAnimationFrame(id);
};

/** The header's counts follow the rows; the next `state` event replaces them with the mock's. */
function counted(status: MockStatus, rows: readonly LiveRow[]): MockStatus {
  if (status.state !== 'connected') return status;
  let avoided = 0;
  let unmatched = 0;
  for (const r of rows) {
    avoided += r.costAvoidedUsd ?? 0;
    if (r.outcome === 'miss' || r.outcome === 'refused') unmatched++;
  }
  const live = status.live;
  return {
    ...status,
    live: {
      ...live,
      requests: live.requests + rows.length,
      unmatched: live.unmatched + unmatched,
      costAvoidedUsd: live.costAvoidedUsd + avoided,
    },
  };
}

function applyRows(rows: LiveRow[]): void {
  const s = useMock.getState();
  const hits = s.hits as Record<string, number>;
  let hit = 0;
  for (const r of rows) {
    if (r.outcome !== 'hit' || r.file === null) continue;
    hits[r.file] = (hits[r.file] ?? 0) + 1;
    hit++;
  }
  const hitsChanged = hit > 0 ? { hitsVersion: s.hitsVersion + 1 } : {};
  const status = counted(s.status, rows);
  if (s.paused) {
    held.push(rows);
    useMock.setState({
      status,
      newWhilePaused: s.newWhilePaused + rows.length,
      ...hitsChanged,
    });
    return;
  }
  log.push(rows);
  useMock.setState({
    status,
    logVersion: s.logVersion + 1,
    dropped: log.dropped,
    ...(hits ? { hits } : {}),
  });
}

const batcher = createRowBatcher(applyRows, frame);

function clearLog(): void {
  batcher.dispose();
  log.clear();
  held.clear();
  useMock.setState((s) => ({ logVersion: s.logVersion + 1, dropped: 0, newWhilePaused: 0 }));
}

function applyState(live: LiveState): void {
  // Rows still pending were counted in this state already: apply them first, then take its hits.
  batcher.flush();
  useMock.setState((s) => ({ hits: { ...live.hits }, hitsVersion: s.hitsVersion + 1 }));
}

export function applyMockEvent(event: MockLinkEvent): void {
  switch (event.kind) {
    case 'status': {
      const status = event.status;
      if (status.state === 'connected') {
        batcher.flush();
        useMock.setState((s) => ({
          status,
          hits: { ...status.live.hits },
          hitsVersion: s.hitsVersion + 1,
        }));
      } else {
        useMock.setState((s) => ({ status, hits: {}, hitsVersion: s.hitsVersion + 1, misses: [] }));
      }
      return;
    }
    case 'rows':
      batcher.add(event.rows);
      return;
    case 'history':
      // Counted in the status already: the log shows them, the counts and run marks do not add them.
      batcher.flush();
      log.push(event.rows);
      useMock.setState((s) => ({ logVersion: s.logVersion + 1, dropped: log.dropped }));
      return;
    case 'state':
      applyState(event.state);
      useMock.setState((s) =>
        s.status.state === 'connected' ? { status: { ...s.status, live: event.state } } : {},
      );
      return;
    case 'misses':
      useMock.setState({ misses: event.misses });
      return;
  }
}

let linked = 0;

/** Follows the open folder's mock until the returned function is called (the workspace's life). */
export function linkMock(): () => void {
  const token = ++linked;
  const off = api.onMock(applyMockEvent);
  void api.mockStatus().then(
    (status) => {
      if (token !== linked) return;
      applyMockEvent({ kind: 'status', status });
      if (status.state === 'connected') void refreshMisses();
    },
    () => undefined,
  );
  return () => {
    off();
    if (token === linked) linked++;
    clearLog();
    useMock.setState(initial);
    forgetFixes();
  };
}

export async function refreshMisses(): Promise<void> {
  try {
    const misses = await api.mockMisses();
    useMock.setState({ misses });
  } catch {
    // No mock (any more): the status event says so.
  }
}

export async function resetMock(): Promise<void> {
  try {
    const live = await api.resetMock();
    clearLog();
    applyMockEvent({ kind: 'state', state: live });
    useMock.setState({ misses: [], selectedMiss: null, actionError: null });
    forgetFixes();
  } catch (err) {
    useMock.setState({
      actionError: `Reset failed: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}

export function setPaused(paused: boolean): void {
  const s = useMock.getState();
  if (s.paused === paused) return;
  if (paused) {
    batcher.flush();
    useMock.setState({ paused: true, newWhilePaused: 0 });
    return;
  }
  batcher.flush();
  log.push(held.toArray());
  // What the held buffer itself dropped is gone from the log too.
  log.dropped += held.dropped;
  held.clear();
  useMock.setState({
    paused: false,
    newWhilePaused: 0,
    logVersion: s.logVersion + 1,
    dropped: log.dropped,
  });
}

export function setLogFilter(text: string, outcome: OutcomeFilter): void {
  useMock.setState({ textFilter: text, outcomeFilter: outcome });
}

export function selectMiss(key: string | null): void {
  useMock.setState(
    key === null
      ? { selectedMiss: null }
      : { selectedMiss: key, panelTab: 'misses', panelOpen: true },
  );
}

export function setPanel(open: boolean, tab?: PanelTab): void {
  useMock.setState(tab ? { panelOpen: open, panelTab: tab } : { panelOpen: open });
}

export function isConnected(s: MockState): boolean {
  return s.status.state === 'connected';
}

/** The mock's URL when one is connected, for curl and re-send. */
export function connectedUrl(s: MockState): string | null {
  return s.status.state === 'connected' ? s.status.url : null;
}
