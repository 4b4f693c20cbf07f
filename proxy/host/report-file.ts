/**
 * Opening a `tapedeck mock --report FILE` file. It may be a CI artifact far from any snapshot, so
 * an absolute path is accepted, but only for a regular `.json` file outside the system trees; a
 * relative path is confined to the opened folder like every other file the UI names.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { MockReport } from '../../shared/mock-link.js';
import { Report } from '../../shared/schema.js';
import { parseJsonFile } from '../store/parse-file.js';
import { readSnapshotFile } from '../store/read-file.js';
import { absolutePathProblem, resolveInside } from './confine.js';
import { inSystemTree, type Places } from './folder-rule.js';
import { HostError } from './host-error.js';

/** Far above what a run's report holds (its misses carry request bodies, each under the body limit). */
export const MAX_REPORT_FILE_BYTES = 64 * 1024 * 1024;

async function locate(root: string | null, given: string, places: Places): Promise<string> {
  if (typeof given !== 'string' || given === '')
    throw new HostError('bad_request', 'give the path of a report file');
  if (!path.isAbsolute(given)) {
    if (!root)
      throw new HostError(
        'no_folder',
        'a relative report path needs an open folder; give an absolute path',
      );
    return (await resolveInside(root, given)).abs;
  }
  const problem = absolutePathProblem(given);
  if (problem)
    throw new HostError('bad_request', `cannot open ${JSON.stringify(given)}: it ${problem}`);
  let real: string;
  try {
    real = await realpath(given);
  } catch {
    throw new HostError('not_found', `report not found: ${given}`);
  }
  if (inSystemTree(real, places))
    throw new HostError('path_outside', `refused ${real}: it is in a system folder`);
  return real;
}

export async function readReportFile(
  root: string | null,
  given: string,
  places: Places,
  maxBytes: number = MAX_REPORT_FILE_BYTES,
): Promise<MockReport> {
  const abs = await locate(root, given, places);
  // Checked on the real path as well: a `.json` symlink may lead to any file.
  if (!given.endsWith('.json') || !abs.endsWith('.json'))
    throw new HostError('bad_request', `${given} is not a .json file; a report is written as JSON`);
  const read = await readSnapshotFile(abs, maxBytes);
  if (!read.ok) {
    if (read.missing) throw new HostError('not_found', `report not found: ${given}`);
    throw new HostError('bad_request', `${given} ${read.reason}`);
  }
  const parsed = parseJsonFile(read.bytes.toString('utf8'), given, Report);
  if (!parsed.ok) {
    const { line, reason } = parsed.error;
    throw new HostError(
      'bad_request',
      `${given}${line ? `:${line}` : ''} is not a tapedeck report: ${reason}`,
    );
  }
  const { $schema: _schema, ...report } = parsed.value;
  return report;
}
