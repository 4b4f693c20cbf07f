/**
 * The opened folder's run reports (`runs/RUN.json`, written by `tapedeck load`), for the Runs view.
 * Listing reads every file the way the folder's loader reads call files: a file that is not a run
 * report is listed with its reason, never fatal; opening one names it by id, confined to runs/.
 */
import { readdir } from 'node:fs/promises';
import type { RunSummary } from '../../shared/desktop-api.js';
import { RunReport } from '../../shared/schema.js';
import { parseJsonFile } from '../store/parse-file.js';
import { readSnapshotFile } from '../store/read-file.js';
import { isInside, relativePathProblem, resolveInside } from './confine.js';
import { HostError } from './host-error.js';

export const RUNS_DIR = 'runs';
/** A run holds a few steps of a few hundred seconds each: far below this. */
export const MAX_RUN_FILE_BYTES = 16 * 1024 * 1024;
/** Files read at once while listing; a folder of many runs must not open them all together. */
const READ_PARALLEL = 8;

type Loaded = { ok: true; report: RunReport } | { ok: false; reason: string };

/** Why a run id is refused before it becomes a path, or null. */
function idProblem(id: string): string | null {
  if (typeof id !== 'string' || id === '') return 'is empty';
  if (id.length > 200) return 'is longer than 200 characters';
  if (/[/\\\0]/.test(id)) return 'names a folder; give the file name of a run in runs/';
  if (id.startsWith('.')) return 'starts with "."';
  return relativePathProblem(id);
}

/** `runsDir` is runs/'s real path: a run file may not lead elsewhere, not even inside the folder. */
async function loadRun(root: string, runsDir: string, rel: string): Promise<Loaded> {
  let abs: string;
  try {
    abs = (await resolveInside(root, rel)).abs;
  } catch (e) {
    if (e instanceof HostError) return { ok: false, reason: e.message };
    throw e;
  }
  if (!isInside(runsDir, abs) || abs === runsDir)
    return { ok: false, reason: `is a symlink to a place outside ${RUNS_DIR}/` };
  const read = await readSnapshotFile(abs, MAX_RUN_FILE_BYTES);
  if (!read.ok) return { ok: false, reason: read.missing ? 'does not exist' : read.reason };
  const parsed = parseJsonFile(read.bytes.toString('utf8'), rel, RunReport);
  if (!parsed.ok) {
    const { line, reason } = parsed.error;
    return { ok: false, reason: `${line ? `line ${line}: ` : ''}not a run report: ${reason}` };
  }
  return { ok: true, report: parsed.value };
}

function summaryOf(id: string, report: RunReport): RunSummary {
  const p95s = report.steps.map((s) => s.latencyMs.p95);
  return {
    ok: true,
    id,
    startedAt: report.startedAt,
    target: report.target,
    scenario: report.mock?.scenario ?? null,
    steps: report.steps.length,
    worstP95Ms: p95s.length > 0 ? Math.max(...p95s) : null,
    costAvoidedUsd: report.costAvoidedUsd,
    interrupted: report.interrupted === true,
  };
}

/** Every `runs/*.json`, newest run first, then the files that did not load, by name. */
export async function listRuns(root: string): Promise<RunSummary[]> {
  const dir = await resolveInside(root, RUNS_DIR, { allowMissing: true });
  if (!dir.exists) return [];
  let names: string[];
  try {
    names = await readdir(dir.abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return [];
    throw e;
  }
  const files = names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  const out: RunSummary[] = [];
  for (let i = 0; i < files.length; i += READ_PARALLEL) {
    const batch = files.slice(i, i + READ_PARALLEL);
    const loaded = await Promise.all(batch.map((n) => loadRun(root, dir.abs, `${RUNS_DIR}/${n}`)));
    batch.forEach((name, j) => {
      const id = name.slice(0, -'.json'.length);
      const one = loaded[j] as Loaded;
      out.push(
        one.ok
          ? summaryOf(id, one.report)
          : { ok: false, id, file: `${RUNS_DIR}/${name}`, reason: one.reason },
      );
    });
  }
  return out.sort((a, b) => {
    if (a.ok !== b.ok) return a.ok ? -1 : 1;
    if (a.ok && b.ok && a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? 1 : -1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** The run report `runs/<id>.json`, validated; `id` is a file name, never a path. */
export async function openRun(root: string, id: string): Promise<RunReport> {
  const problem = idProblem(id);
  if (problem)
    throw new HostError('path_outside', `refused run ${JSON.stringify(id)}: it ${problem}`);
  const rel = `${RUNS_DIR}/${id}.json`;
  const runsDir = (await resolveInside(root, RUNS_DIR)).abs;
  const confined = await resolveInside(root, rel);
  if (!isInside(runsDir, confined.abs))
    throw new HostError(
      'path_outside',
      `refused ${rel}: it is a symlink to a place outside ${RUNS_DIR}/`,
    );
  const loaded = await loadRun(root, runsDir, confined.rel);
  if (!loaded.ok) throw new HostError('bad_request', `${rel} ${loaded.reason}`);
  return loaded.report;
}
