/**
 * The run `tapedeck load --from DIR` saves by default in DIR/runs/<time>.json conforms to the
 * RunReport zod schema and to the published schemas/run.schema.json, replaying the requests
 * captured in DIR/inbound/ in capture order.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { INBOUND_FORMAT, RUN_FORMAT, RunReport, type InboundExchange } from '../shared/schema.js';
import { assertBuilt, repoRoot, runCli } from './support/cli.js';
import { schemaErrors } from './support/json-schema-lite.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';

beforeAll(assertBuilt);
let dir = '';
let target: LoadTarget | null = null;
afterEach(async () => {
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function exchange(seq: number, p: string, status: number): InboundExchange {
  return {
    format: INBOUND_FORMAT,
    seq,
    recordedAt: new Date(0).toISOString(),
    listen: '4143',
    request: {
      method: 'POST',
      path: p,
      headers: { 'content-type': 'application/json', host: 'localhost:4143' },
      body: { seq },
    },
    response: { status, headers: {}, body: { ok: true } },
    timing: { ttfbMs: 1, totalMs: 2 },
    outcome: 'complete',
  };
}

it('saves a run that both schemas accept, in DIR/runs/', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-load-schema-'));
  await mkdir(path.join(dir, 'inbound'));
  // File names out of seq order: the capture order is seq.
  await writeFile(path.join(dir, 'inbound', 'b.json'), JSON.stringify(exchange(1, '/ok', 200)));
  await writeFile(path.join(dir, 'inbound', 'a.json'), JSON.stringify(exchange(2, '/fail', 200)));
  target = await startLoadTarget(async (req) => ({
    status: req.url === '/fail' ? 503 : 200,
    body: 'x',
  }));
  const r = await runCli(['load', target.url, '--from', dir, '--steps', '2', '--count', '4'], {
    timeoutMs: 60_000,
  });
  expect(r.code).toBe(0);
  expect(target.byPath()).toEqual({ '/ok': 2, '/fail': 2 });
  const runs = await readdir(path.join(dir, 'runs'));
  expect(runs).toHaveLength(1);
  const file = runs[0] ?? '';
  expect(file).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/);
  const json: unknown = JSON.parse(await readFile(path.join(dir, 'runs', file), 'utf8'));
  const run = RunReport.parse(json);
  const schema = JSON.parse(
    await readFile(path.join(repoRoot, 'schemas', 'run.schema.json'), 'utf8'),
  ) as Record<string, unknown>;
  expect(schemaErrors(schema, json)).toEqual([]);
  expect(run).toMatchObject({
    format: RUN_FORMAT,
    id: file.replace(/\.json$/, ''),
    source: dir,
    mock: null,
  });
  expect(run.steps[0]).toMatchObject({
    requests: 4,
    errors: 2,
    errorsByStatus: { '503': 2 },
    vendors: {},
  });
  // The seconds add up to the step.
  const seconds = run.steps[0]?.seconds ?? [];
  expect(seconds.reduce((n, s) => n + s.requests, 0)).toBe(4);
  // And the check is no rubber stamp: a broken field fails it.
  expect(schemaErrors(schema, { ...run, steps: [{ ...run.steps[0], requests: -1 }] })).not.toEqual(
    [],
  );
});
