/** Reading a snapshot folder the way a test inspects it: every file, and the call files parsed. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Call } from '../../shared/schema.js';

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** The secrets (of those given) that appear anywhere in any file under `dir`, with the file. */
export async function secretsOnDisk(dir: string, secrets: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of await listFiles(dir)) {
    const text = await readFile(file, 'latin1');
    for (const s of secrets) if (text.includes(s)) found.push(`${path.relative(dir, file)}: ${s}`);
  }
  return found;
}

/** Call files in `seq` order, each checked against the published schema. */
export async function readCalls(dir: string): Promise<(Call & { file: string })[]> {
  const callsDir = path.join(dir, 'calls');
  const names = (await readdir(callsDir)).filter((n) => n.endsWith('.json'));
  const calls = await Promise.all(
    names.map(async (name) => {
      const raw: unknown = JSON.parse(await readFile(path.join(callsDir, name), 'utf8'));
      const parsed = Call.safeParse(raw);
      if (!parsed.success)
        throw new Error(`calls/${name} does not match the Call schema: ${parsed.error.message}`);
      return { ...parsed.data, file: name };
    }),
  );
  return calls.sort((a, b) => a.seq - b.seq);
}
