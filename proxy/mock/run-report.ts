/**
 * `tapedeck mock --report FILE`: what one run saw, written atomically at exit and checked against
 * the `report` schema first, so the desktop app can open it long after a CI run ended. Misses are
 * the live link's groups with bodies redacted and `recordable` false; no header is ever written.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { MockReport } from '../../shared/mock-link.js';
import { Report } from '../../shared/schema.js';
import type { MissGroups } from './miss-groups.js';
import type { MockStats } from './stats.js';

export interface ReportInput {
  dir: string;
  startedAt: string;
  scenario: string | null;
  stats: MockStats;
  groups: MissGroups;
  unused: string[];
}

export function buildReport(r: ReportInput): MockReport {
  const { upstreams } = r.stats.view();
  const faults: Record<string, number> = {};
  const perUpstream: MockReport['upstreams'] = {};
  let hits = 0;
  for (const [name, s] of Object.entries(upstreams)) {
    hits += s.matched;
    for (const [kind, n] of Object.entries(s.faults)) faults[kind] = (faults[kind] ?? 0) + n;
    perUpstream[name] = {
      requests: s.requests,
      matched: s.matched,
      unmatched: s.unmatched,
      retries: s.retries,
    };
  }
  return {
    format: 'tapedeck-report/1',
    dir: r.dir,
    startedAt: r.startedAt,
    endedAt: new Date().toISOString(),
    scenario: r.scenario,
    requests: r.stats.requests,
    hits,
    unmatched: r.stats.unmatched,
    costAvoidedUsd: r.stats.costAvoidedUsd,
    calls: r.stats.replayed.hits().sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
    unused: r.unused,
    faults,
    upstreams: perUpstream,
    misses: r.groups.list().map((g) => ({ ...g, recordable: false })),
  };
}

/** Throws when the report does not match its schema (a bug: nothing half-valid is written). */
export async function writeReport(file: string, report: MockReport): Promise<void> {
  const checked = Report.safeParse(report);
  if (!checked.success)
    throw new Error(`the run report does not match its schema: ${checked.error.message}`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(report, null, 2) + '\n');
}
