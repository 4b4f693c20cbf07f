import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agent } from 'undici';
import type { Call } from '../shared/schema.js';
import { aimockFixtureFile } from './aimock-fixture.js';
import { spawnChild, waitUntil, type Child } from './child.js';
import { answers, type HttpRequest } from './http.js';
import { aimockPackageDir, PeerUnavailable } from './peers.js';
import { freePort } from './ports.js';

export interface RunningAimock {
  child: Child;
  url: string;
  version: string;
}

interface AimockPackage {
  version?: string;
  bin?: Record<string, string>;
}

/**
 * Starts aimock's `llmock` CLI (the one that takes `--fixtures`; the `aimock` bin wants a suite
 * config) with one fixture answering `call`'s request, as a user replacing Tapedeck with aimock
 * would run it: defaults otherwise (log level info, the 1,000-entry request journal).
 * `name` keeps the JSON and SSE runs' files apart.
 */
export async function startAimock(
  workDir: string,
  name: string,
  call: Call,
  chunkChars: number,
  probe: (url: string) => HttpRequest,
  agent: Agent,
  cpu: number | undefined,
): Promise<RunningAimock> {
  const pkg = JSON.parse(
    await readFile(join(aimockPackageDir, 'package.json'), 'utf8'),
  ) as AimockPackage;
  const bin = pkg.bin?.llmock;
  if (!bin) throw new PeerUnavailable('the installed @copilotkit/aimock has no llmock bin');
  const fixtureFile = join(workDir, `aimock-${name}.json`);
  await writeFile(fixtureFile, JSON.stringify(aimockFixtureFile(call, chunkChars), null, 2));
  const port = await freePort();
  const args = [
    join(aimockPackageDir, bin),
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--fixtures',
    fixtureFile,
    '--chunk-size',
    String(chunkChars),
  ];
  const child = spawnChild('aimock', process.execPath, args, {
    logFile: join(workDir, `aimock-${name}.log`),
    readStdout: false,
    ...(cpu === undefined ? {} : { cpu }),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(child, () => answers(agent, probe(url)), 30_000);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { child, url, version: pkg.version ?? '?' };
}
