/**
 * Run reports on disk: `snap/runs/<id>.json`, a `tapedeck-run/1` document (schemas/run.schema.json).
 * Checked against the schema before it is written, and written atomically, so a reader (the
 * desktop app's Runs view, `tapedeck report`) sees a whole valid run or none.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { RUN_FORMAT, RunReport } from '../../shared/schema.js';

export const RUNS_DIR = 'runs';

/** `2026-12-03T18:30:00.123Z` → `2026-12-03T18-30-00-123Z`: no `:` (Windows) and no `.` before the end. */
export function runIdOf(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

export class RunFileError extends Error {}

export async function writeRunReport(file: string, report: RunReport): Promise<void> {
  const checked = RunReport.safeParse(report);
  if (!checked.success)
    throw new RunFileError(
      `the run report does not match ${report.format}: ${checked.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(checked.data, null, 2) + '\n');
}

/**
 * RUN is a path to a run file, or the id of one in `DIR/runs/` (with or without `.json`).
 */
export async function resolveRun(run: string, dir: string): Promise<string> {
  const candidates = [
    path.resolve(run),
    path.join(dir, RUNS_DIR, run),
    path.join(dir, RUNS_DIR, `${run}.json`),
  ];
  for (const c of candidates) {
    const s = await stat(c).catch(() => null);
    if (s?.isFile()) return c;
  }
  throw new RunFileError(
    `no run "${run}" (neither a file nor an id in ${path.join(dir, RUNS_DIR)})`,
  );
}

export async function readRunReport(file: string): Promise<RunReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new RunFileError(`${file}: not a JSON file (${(e as Error).message})`);
  }
  const r = RunReport.safeParse(parsed);
  if (!r.success)
    throw new RunFileError(
      `${file}: not a ${RUN_FORMAT} report: ${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  return r.data;
}
