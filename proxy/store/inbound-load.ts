/** Reading `snap/inbound/` (what `tapedeck record --inbound` wrote) for `tapedeck load`. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { InboundExchange, type LoadError } from '../../shared/schema.js';
import { parseJsonFile } from './parse-file.js';
import { readSnapshotFileSync } from './read-file.js';
import { INBOUND_DIR, assertSnapshotDir } from './snapshot-store.js';

export interface LoadedInbound {
  /** Valid exchanges in capture order (seq, then file name). */
  exchanges: InboundExchange[];
  /** One per file that could not be used, by name (`inbound/…json`) and reason; the rest load. */
  errors: LoadError[];
}

/**
 * Every `inbound/*.json` of a snapshot folder, validated. A folder without `inbound/` has no
 * exchanges; a missing snapshot folder throws SnapshotMissingError. Files are read as safely as
 * call files: a FIFO, a device, a folder or an oversized file is an error row, never a hang.
 */
export async function loadInbound(dir: string): Promise<LoadedInbound> {
  await assertSnapshotDir(dir);
  let names: string[];
  try {
    names = (await readdir(path.join(dir, INBOUND_DIR))).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return { exchanges: [], errors: [] };
  }
  const found: Array<{ exchange: InboundExchange; file: string }> = [];
  const errors: LoadError[] = [];
  for (let i = 0; i < names.length; i++) {
    const rel = `${INBOUND_DIR}/${names[i] as string}`;
    const read = readSnapshotFileSync(path.join(dir, rel));
    if (!read.ok) errors.push({ file: rel, reason: read.reason });
    else {
      const parsed = parseJsonFile(read.bytes.toString('utf8'), rel, InboundExchange);
      if (parsed.ok) found.push({ exchange: parsed.value, file: rel });
      else errors.push(parsed.error);
    }
    // Synchronous reads are the fast path for many small files; yield now and then all the same.
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  found.sort((a, b) => a.exchange.seq - b.exchange.seq || a.file.localeCompare(b.file));
  return { exchanges: found.map((f) => f.exchange), errors };
}
