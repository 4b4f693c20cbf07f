import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agent } from 'undici';
import { spawnChild, waitUntil, type Child } from './child.js';
import { answers, atOrigin, type HttpRequest } from './http.js';
import { mockoonCliPath } from './peers.js';
import { freePort } from './ports.js';
import type { StaticResponse } from './static-response.js';

// The data-file version @mockoon/cli 9 writes; an older number would make it ask to migrate.
const MOCKOON_MIGRATION = 33;

/**
 * A Mockoon environment with one route that answers `req` (same method, path and exact body)
 * with `res`, as a user replacing Tapedeck with Mockoon would configure it. Templating is off so
 * the body is served as is.
 */
export function mockoonEnvironment(req: HttpRequest, res: StaticResponse, port: number): object {
  const routeId = randomUUID();
  return {
    uuid: randomUUID(),
    lastMigration: MOCKOON_MIGRATION,
    name: 'tapedeck bench',
    endpointPrefix: '',
    latency: 0,
    port,
    hostname: '127.0.0.1',
    folders: [],
    routes: [
      {
        uuid: routeId,
        type: 'http',
        documentation: 'the recorded chat completion',
        method: req.method.toLowerCase(),
        endpoint: new URL(req.url).pathname.replace(/^\//, ''),
        responses: [
          {
            uuid: randomUUID(),
            body: res.body,
            latency: 0,
            statusCode: res.status,
            label: 'recorded',
            headers: Object.entries(res.headers).map(([key, value]) => ({ key, value })),
            bodyType: 'INLINE',
            filePath: '',
            databucketID: '',
            sendFileAsBody: false,
            rules: [
              {
                target: 'body',
                modifier: '',
                value: req.body ?? '',
                invert: false,
                operator: 'equals',
              },
            ],
            rulesOperator: 'OR',
            disableTemplating: true,
            fallbackTo404: false,
            default: false,
            crudKey: 'id',
            callbacks: [],
          },
        ],
        responseMode: 'FALLBACK',
        streamingMode: null,
        streamingInterval: 0,
      },
    ],
    rootChildren: [{ type: 'route', uuid: routeId }],
    proxyMode: false,
    proxyHost: '',
    proxyRemovePrefix: false,
    tlsOptions: {
      enabled: false,
      type: 'CERT',
      pfxPath: '',
      certPath: '',
      keyPath: '',
      caPath: '',
      passphrase: '',
    },
    cors: false,
    headers: [],
    proxyReqHeaders: [],
    proxyResHeaders: [],
    data: [],
    callbacks: [],
  };
}

export async function startMockoon(
  workDir: string,
  req: HttpRequest,
  res: StaticResponse,
  agent: Agent,
): Promise<{ child: Child; url: string }> {
  await mkdir(workDir, { recursive: true });
  const port = await freePort();
  const dataFile = join(workDir, 'mockoon-environment.json');
  await writeFile(dataFile, JSON.stringify(mockoonEnvironment(req, res, port), null, 2));
  const args = [
    mockoonCliPath,
    'start',
    '--data',
    dataFile,
    '--port',
    String(port),
    '--hostname',
    '127.0.0.1',
    '--disable-log-to-file',
    '--disable-admin-api',
  ];
  // Mockoon logs every request as JSON on stdout: into the file with the rest.
  const child = spawnChild('Mockoon CLI', process.execPath, args, {
    logFile: join(workDir, 'mockoon.log'),
    readStdout: false,
  });
  const url = `http://127.0.0.1:${port}`;
  const probe = atOrigin(req, url);
  try {
    await waitUntil(child, () => answers(agent, probe), 60_000);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { child, url };
}
