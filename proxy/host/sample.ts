/**
 * The demo snapshot the start page opens. The UI gets a copy in the config dir, so trying out edits
 * never dirties the package (which may be read-only, or a git checkout); the copy is replaced when
 * the bundled sample changes, and otherwise keeps the user's edits.
 */
import { cp, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from './files.js';
import { readJsonState, writeJsonState } from './json-file.js';

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else if (d.isFile()) out.push(rel);
  }
  return out.sort();
}

/** A hash over the names and contents of every file of the bundled sample. */
export async function fingerprint(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const rel of await filesUnder(dir))
    parts.push(rel, sha256(await readFile(path.join(dir, rel))));
  return sha256(parts.join('\n'));
}

export async function sampleCopy(bundled: string, configDir: string): Promise<string> {
  const name = path.basename(bundled);
  const copy = path.join(configDir, 'samples', name);
  const stampFile = path.join(configDir, 'samples', `${name}.source.json`);
  const current = await fingerprint(bundled);
  const stamp = (await readJsonState(stampFile)) as { fingerprint?: unknown } | undefined;
  let present = true;
  try {
    await readdir(copy);
  } catch {
    present = false;
  }
  if (!present || stamp?.fingerprint !== current) {
    await rm(copy, { recursive: true, force: true });
    await cp(bundled, copy, { recursive: true });
    await writeJsonState(stampFile, { fingerprint: current });
  }
  return copy;
}
