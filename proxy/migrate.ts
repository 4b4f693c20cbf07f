/**
 * `tapedeck migrate DIR`: rewrites the call files and the manifest of an older format as the
 * current one, each with the atomic replace of safe-write.ts (a reader sees the old file or the
 * new one, never half of either) and only if nobody changed it in between. Readers upgrade old
 * files on the fly anyway; this makes the upgrade permanent, for diffs and for older tools' sake.
 */
import path from 'node:path';
import type { z } from 'zod';
import { lastMigration, migrate, type DocKind } from '../shared/migrations.js';
import { Call, Manifest } from '../shared/schema.js';
import { mayHoldUnsafeInteger } from './body.js';
import { parseJsonFile } from './store/parse-file.js';
import { readSnapshotFile } from './store/read-file.js';
import { replaceIfUnchanged, sha256 } from './store/safe-write.js';
import {
  MANIFEST_FILE,
  assertSnapshotDir,
  callFiles,
  cleanSnapshotSideFiles,
} from './store/snapshot-store.js';

export interface MigratedFile {
  file: string;
  from: string;
  to: string;
  /** What each applied migration does, in order. */
  changes: string[];
}

export interface MigrateReport {
  dir: string;
  dryRun: boolean;
  format: string;
  /** Files upgraded (or, with --dry-run, that would be). */
  migrated: MigratedFile[];
  /** Files already in the current format. */
  current: number;
  /** Files left as they are, with the reason. */
  skipped: { file: string; reason: string }[];
}

const SCHEMA: Record<DocKind, z.ZodType> = { call: Call, manifest: Manifest };

async function migrateFile(
  dir: string,
  rel: string,
  kind: DocKind,
  dryRun: boolean,
  report: MigrateReport,
): Promise<void> {
  const abs = path.join(dir, rel);
  const read = await readSnapshotFile(abs);
  if (!read.ok) {
    if (!read.missing) report.skipped.push({ file: rel, reason: read.reason });
    return;
  }
  const text = read.bytes.toString('utf8');
  // The loaders' own checks first: a file they would skip is not rewritten either.
  const parsed = parseJsonFile(text, rel, SCHEMA[kind]);
  if (!parsed.ok) {
    report.skipped.push({ file: rel, reason: parsed.error.reason });
    return;
  }
  const raw = JSON.parse(text) as unknown;
  const result = migrate(raw, kind);
  if (result.applied.length === 0) {
    report.current++;
    return;
  }
  // JSON.parse would round such a number and the rewrite would put the rounded digits on disk.
  if (mayHoldUnsafeInteger(raw, text)) {
    report.skipped.push({
      file: rel,
      reason:
        'holds an integer beyond 2^53 that rewriting would round; still read as tapedeck/' +
        lastMigration +
        ', not rewritten',
    });
    return;
  }
  const entry: MigratedFile = {
    file: rel,
    from: `tapedeck/${result.from}`,
    to: `tapedeck/${lastMigration}`,
    changes: result.applied.map((m) => m.description),
  };
  if (!dryRun) {
    const placed = await replaceIfUnchanged(
      abs,
      JSON.stringify(result.doc, null, 2) + '\n',
      sha256(read.bytes),
    );
    if (!placed.ok) {
      report.skipped.push({ file: rel, reason: 'changed while being migrated; run again' });
      return;
    }
  }
  report.migrated.push(entry);
}

export async function migrateSnapshot(dir: string, dryRun: boolean): Promise<MigrateReport> {
  await assertSnapshotDir(dir);
  if (!dryRun) await cleanSnapshotSideFiles(dir);
  const report: MigrateReport = {
    dir,
    dryRun,
    format: `tapedeck/${lastMigration}`,
    migrated: [],
    current: 0,
    skipped: [],
  };
  await migrateFile(dir, MANIFEST_FILE, 'manifest', dryRun, report);
  for (const rel of await callFiles(dir)) await migrateFile(dir, rel, 'call', dryRun, report);
  return report;
}

export function formatMigrateReport(r: MigrateReport): string {
  const lines: string[] = [];
  const verb = r.dryRun ? 'would migrate' : 'migrated';
  for (const m of r.migrated) lines.push(`${verb} ${m.file}: ${m.from} → ${m.to}`);
  const total = r.migrated.length;
  const summary = `${total} file${total === 1 ? '' : 's'} ${verb === 'migrated' ? 'migrated' : 'to migrate'} to ${r.format}, ${r.current} already current, ${r.skipped.length} skipped${r.dryRun ? ' (dry run: nothing written)' : ''}`;
  if (total > 0) {
    const changes = [...new Set(r.migrated.flatMap((m) => m.changes))];
    for (const c of changes) lines.push(`  ${c}`);
  }
  lines.push(summary);
  return lines.join('\n');
}
