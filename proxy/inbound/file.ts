/** The files of `snap/inbound/`: one exchange each, written whole or not at all. */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { inboundFileName, inboundSeqOf } from '../../shared/inbound.js';
import { INBOUND_FORMAT, InboundExchange } from '../../shared/schema.js';
import { writeFileAtomically } from '../store/safe-write.js';
import { INBOUND_DIR } from '../store/snapshot-store.js';

/** Creates `inbound/` and answers the highest seq already there: capture continues after it. */
export async function prepareInboundDir(dir: string): Promise<number> {
  const folder = path.join(dir, INBOUND_DIR);
  await mkdir(folder, { recursive: true });
  let max = 0;
  for (const n of await readdir(folder)) {
    const seq = inboundSeqOf(n);
    if (seq !== null) max = Math.max(max, seq);
  }
  return max;
}

/** Fixed key order, so files diff well and read the same way every time. */
export function serializeInbound(e: InboundExchange): string {
  const ordered: InboundExchange = {
    format: INBOUND_FORMAT,
    seq: e.seq,
    recordedAt: e.recordedAt,
    listen: e.listen,
    outcome: e.outcome,
    request: e.request,
    response: e.response,
    timing: e.timing,
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}

/**
 * Validates the exchange against the committed schema (what `loadInbound` will read it with), then
 * writes it through a temp file and a rename; answers the path relative to the snapshot folder.
 * Throws when the exchange does not validate: nothing is written then.
 */
export async function writeInboundFile(dir: string, e: InboundExchange): Promise<string> {
  const checked = InboundExchange.safeParse(e);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new Error(`not a valid inbound exchange: ${where}${issue?.message ?? 'schema mismatch'}`);
  }
  const rel = `${INBOUND_DIR}/${inboundFileName(e)}`;
  await writeFileAtomically(path.join(dir, rel), serializeInbound(e));
  return rel;
}
