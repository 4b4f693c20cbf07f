/** Snapshot folders for the browser tests: generated calls, one failed call with a fault, one broken file. */
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSnapshot } from '../../bench/snapshot-gen.js';
import { serializeCall } from '../../proxy/store/snapshot-store.js';
import { Call } from '../../shared/schema.js';

export const BROKEN_FILE = 'calls/000900-broken.json';
const BROKEN_TEXT = '{\n  "id": "c_broken",\n  "seq": 900,\n  "recordedAt": oops\n}\n';

/** Readers see a whole file or none: write beside it under a non-.json name, then rename. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(temp, text);
  await rename(temp, file);
}

export async function callFiles(dir: string): Promise<string[]> {
  return (await readdir(path.join(dir, 'calls'))).filter((n) => n.endsWith('.json')).sort();
}

export async function readCall(dir: string, rel: string): Promise<Call> {
  return Call.parse(JSON.parse(await readFile(path.join(dir, rel), 'utf8')));
}

/**
 * `count` generated calls (every 10th streamed), then call #5 turned into a 503 with a latency
 * fault, so errors and faults show in the table, plus a file that is not JSON.
 */
export async function makeSnapshot(dir: string, count: number): Promise<void> {
  await generateSnapshot(dir, count, { seed: 7, streamEvery: 10 });
  const names = await callFiles(dir);
  const fifth = names.find((n) => n.startsWith('000005-'));
  if (!fifth) throw new Error('the generated snapshot has no call #5');
  const call = await readCall(dir, `calls/${fifth}`);
  call.response = {
    status: 503,
    headers: { 'content-type': 'application/json' },
    body: { error: { message: 'overloaded', type: 'server_error' } },
  };
  call.faults = [{ kind: 'latency', ttfb: { fixed: 50 } }];
  await writeFile(path.join(dir, 'calls', fifth), serializeCall(call));
  await writeFile(path.join(dir, BROKEN_FILE), BROKEN_TEXT);
}

/** Calls `from`…`from + count - 1` of the same generator, written into `dir` one by one. */
export async function addCalls(dir: string, from: number, count: number): Promise<string[]> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'tapedeck-more-'));
  try {
    await generateSnapshot(scratch, from + count - 1, { seed: 7, streamEvery: 10 });
    const added: string[] = [];
    for (const name of await callFiles(scratch)) {
      if (Number(name.slice(0, 6)) < from) continue;
      const text = await readFile(path.join(scratch, 'calls', name), 'utf8');
      await writeAtomically(path.join(dir, 'calls', name), text);
      added.push(`calls/${name}`);
    }
    return added;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
