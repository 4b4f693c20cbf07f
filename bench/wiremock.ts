import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agent } from 'undici';
import { spawnChild, waitUntil, type Child } from './child.js';
import { answers, atOrigin, type HttpRequest } from './http.js';
import { wiremockJarPath } from './peers.js';
import { freePort } from './ports.js';
import type { StaticResponse } from './static-response.js';

/** A WireMock stub mapping that answers `req` (same method, path and JSON body) with `res`. */
export function wiremockMapping(req: HttpRequest, res: StaticResponse): object {
  return {
    request: {
      method: req.method,
      url: new URL(req.url).pathname,
      ...(req.body !== undefined ? { bodyPatterns: [{ equalToJson: req.body }] } : {}),
    },
    response: { status: res.status, headers: res.headers, body: res.body },
  };
}

export async function startWireMock(
  workDir: string,
  req: HttpRequest,
  res: StaticResponse,
  agent: Agent,
): Promise<{ child: Child; url: string }> {
  const rootDir = join(workDir, 'wiremock');
  await mkdir(join(rootDir, 'mappings'), { recursive: true });
  await writeFile(
    join(rootDir, 'mappings', 'chat.json'),
    JSON.stringify(wiremockMapping(req, res), null, 2),
  );
  const port = await freePort();
  const args = [
    '-jar',
    wiremockJarPath(),
    '--port',
    String(port),
    '--bind-address',
    '127.0.0.1',
    '--root-dir',
    rootDir,
    '--disable-banner',
    // Without this the journal keeps every request: memory grows through a load run.
    '--no-request-journal',
  ];
  const child = spawnChild('WireMock', 'java', args, {
    logFile: join(workDir, 'wiremock.log'),
    readStdout: false,
  });
  const url = `http://127.0.0.1:${port}`;
  const probe = atOrigin(req, url);
  try {
    await waitUntil(child, () => answers(agent, probe), 90_000);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { child, url };
}
