/**
 * `tapedeck load --count N` sends exactly N requests in every step, whatever the concurrency,
 * cycling through the requests in order; the target counts them on its own socket.
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

it('sends exactly --count requests per step, cycling through the list', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-load-count-'));
  target = await startLoadTarget();
  const requests = path.join(dir, 'requests.jsonl');
  await writeFile(
    requests,
    [
      { method: 'POST', path: '/v1/route', body: { q: 'a' } },
      { method: 'GET', path: '/health?x=1' },
      { method: 'POST', path: '/v1/route?b', body: 'plain' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );
  const report = path.join(dir, 'run.json');
  const r = await runCli(
    [
      'load',
      target.url,
      '--requests',
      requests,
      '--steps',
      '1,3,8',
      '--count',
      '7',
      '--report',
      report,
    ],
    { timeoutMs: 60_000 },
  );
  expect(r.stderr).not.toContain('Error');
  expect(r.code).toBe(0);
  expect(target.total()).toBe(21);
  // 7 a step over 3 requests: the first twice and a third time, the others twice.
  expect(target.byPath()).toEqual({ '/v1/route': 9, '/health?x=1': 6, '/v1/route?b': 6 });
  const run = RunReport.parse(JSON.parse(await readFile(report, 'utf8')));
  expect(run.steps.map((s) => [s.concurrency, s.requests, s.errors, s.timeouts])).toEqual([
    [1, 7, 0, 0],
    [3, 7, 0, 0],
    [8, 7, 0, 0],
  ]);
  expect(run.options).toMatchObject({ steps: [1, 3, 8], count: 7, durationMs: null });
  for (const n of [1, 3, 8]) expect(r.stdout).toContain(`concurrency ${n}`);
});
