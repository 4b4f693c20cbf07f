/**
 * `--timeout`: a request the target never answers is aborted and counted as a client timeout,
 * not as an error and not in the latencies; the answered ones are unaffected.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { RunReport } from '../shared/schema.js';
import { assertBuilt, runCli } from './support/cli.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';

beforeAll(assertBuilt);
let dir = '';
let target: LoadTarget | null = null;
afterEach(async () => {
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('counts requests the target never answers as timeouts', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-load-timeout-'));
  target = await startLoadTarget((req) =>
    req.url === '/hang'
      ? new Promise(() => undefined)
      : Promise.resolve({ status: 200, body: 'ok' }),
  );
  const requests = path.join(dir, 'requests.jsonl');
  await writeFile(requests, '{"method":"GET","path":"/hang"}\n{"method":"GET","path":"/ok"}\n');
  const report = path.join(dir, 'run.json');
  const r = await runCli(
    [
      'load',
      target.url,
      '--requests',
      requests,
      '--steps',
      '2',
      '--count',
      '4',
      '--timeout',
      '300ms',
      '--report',
      report,
    ],
    { timeoutMs: 60_000 },
  );
  expect(r.code).toBe(0);
  const step = RunReport.parse(JSON.parse(await readFile(report, 'utf8'))).steps[0];
  expect(step).toMatchObject({ requests: 4, timeouts: 2, errors: 0, errorsByStatus: {} });
  expect(step?.seconds.reduce((n, s) => n + s.timeouts, 0)).toBe(2);
});
