/**
 * A file in DIR/inbound/ that is not a `tapedeck-inbound/1` exchange is named with its reason and
 * left out; the valid ones still run. With none valid, the command stops with a usage error.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { INBOUND_FORMAT, RunReport } from '../shared/schema.js';
import { assertBuilt, runCli } from './support/cli.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';

beforeAll(assertBuilt);
let dir = '';
let target: LoadTarget | null = null;
afterEach(async () => {
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('skips bad captures by name and reason, and refuses a folder with none valid', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-load-bad-'));
  const inbound = path.join(dir, 'inbound');
  await mkdir(inbound);
  await writeFile(path.join(inbound, '0001.json'), '{ not json');
  await writeFile(
    path.join(inbound, '0002.json'),
    JSON.stringify({ format: INBOUND_FORMAT, seq: 2, request: { method: 'GET' } }),
  );
  target = await startLoadTarget();
  const none = await runCli(['load', target.url, '--from', dir, '--steps', '1', '--count', '1']);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('skipped inbound/0001.json: invalid JSON');
  expect(none.stderr).toMatch(/skipped inbound\/0002\.json: .*recordedAt/);
  expect(target.total()).toBe(0);

  await writeFile(
    path.join(inbound, '0003.json'),
    JSON.stringify({
      format: INBOUND_FORMAT,
      seq: 3,
      recordedAt: new Date(0).toISOString(),
      listen: '4143',
      request: { method: 'GET', path: '/fine', headers: {} },
      response: { status: 200, headers: {} },
      timing: { ttfbMs: 0, totalMs: 0 },
      outcome: 'complete',
    }),
  );
  const report = path.join(dir, 'run.json');
  const ok = await runCli(
    ['load', target.url, '--from', dir, '--steps', '1', '--count', '3', '--report', report],
    { timeoutMs: 60_000 },
  );
  expect(ok.code).toBe(0);
  expect(ok.stderr).toContain('skipped inbound/0001.json');
  expect(target.byPath()).toEqual({ '/fine': 3 });
  expect(RunReport.parse(JSON.parse(await readFile(report, 'utf8'))).steps[0]?.requests).toBe(3);
});
