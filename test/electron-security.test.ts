/**
 * S4: Electronegativity on the built Electron shell (dist/electron, as shipped). It exits 0 whatever
 * it finds, so the findings are read back and any at MEDIUM or above fails unless
 * electron/electronegativity-allowlist.json names it with a reason. An entry that matches nothing
 * fails too, so the list cannot keep excuses for problems that are gone.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = path.join(root, 'dist', 'electron');

interface Finding {
  check: string;
  severity: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH';
  confidence: string;
  file: string;
  line: number;
  column: number;
  sample: string | null;
  description: string;
}

interface Report {
  electronVersion: string;
  checks: { global: number; atomic: number };
  errors: { file: string; message: string; tolerable: boolean }[];
  findings: Finding[];
}

interface Allowed {
  check: string;
  /** Relative to dist/electron; absent: any file (global checks report `N/A`). */
  file?: string;
  /** A piece of the flagged code, so a second, new use of the same API is not covered. */
  sample?: string;
  reason: string;
}

interface Allowlist {
  findings: Allowed[];
  excludedChecks: { check: string; reason: string }[];
}

const RANK: Record<Finding['severity'], number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

function matches(entry: Allowed, f: Finding): boolean {
  return (
    entry.check === f.check &&
    (entry.file === undefined || entry.file === f.file) &&
    (entry.sample === undefined || (f.sample ?? '').includes(entry.sample))
  );
}

const describeFinding = (f: Finding) =>
  `${f.check} ${f.severity} ${f.file}:${f.line}:${f.column} ${f.sample ?? ''} — ${f.description}`;

describe('S4: Electronegativity on the built shell', () => {
  it('finds nothing at MEDIUM or above beyond the allowlist, which has a reason per entry', async () => {
    if (!existsSync(path.join(built, 'main.js')))
      throw new Error('dist/electron is missing: run `npm run build:electron` first');
    const allowlist = JSON.parse(
      await readFile(path.join(root, 'electron', 'electronegativity-allowlist.json'), 'utf8'),
    ) as Allowlist;
    for (const e of [...allowlist.findings, ...allowlist.excludedChecks])
      expect(e.reason.trim().length, `${e.check} needs a reason`).toBeGreaterThan(20);

    const work = await mkdtemp(path.join(tmpdir(), 'tapedeck-eneg-'));
    let report: Report;
    try {
      const out = path.join(work, 'report.json');
      await promisify(execFile)(
        process.execPath,
        [path.join(root, 'electron', 'electronegativity.mjs'), built, out],
        { cwd: root, timeout: 120_000 },
      );
      report = JSON.parse(await readFile(out, 'utf8')) as Report;
    } finally {
      await rm(work, { recursive: true, force: true });
    }

    const electron = JSON.parse(
      await readFile(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(report.electronVersion).toBe(electron.version);
    // A scan that loaded no checks or could not parse a file would find nothing and prove nothing.
    expect(report.checks.atomic).toBeGreaterThan(20);
    expect(report.checks.global).toBeGreaterThan(0);
    expect(report.errors).toEqual([]);

    const serious = report.findings.filter((f) => RANK[f.severity] >= RANK.MEDIUM);
    const unexplained = serious.filter((f) => !allowlist.findings.some((e) => matches(e, f)));
    expect(unexplained.map(describeFinding)).toEqual([]);
    const stale = allowlist.findings.filter((e) => !serious.some((f) => matches(e, f)));
    expect(
      stale.map((e) => e.check),
      'allowlist entries that match no finding',
    ).toEqual([]);
  }, 180_000);
});
