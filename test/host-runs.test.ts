/**
 * The Runs view's host side: `listRuns` lists the opened folder's runs/*.json (a hostile or broken
 * file is one entry with its reason, never an error for the list) and `openRun` reads one by id,
 * validated, never anything outside runs/.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../proxy/host/rpc.js';
import { hostFixture, type HostFixture } from './support/host-fixture.js';
import { makeRunReport, writeRunReports } from './support/run-reports.js';

let fx: HostFixture;
const older = makeRunReport({
  id: 'baseline',
  startedAt: '2026-12-01T10:00:00.000Z',
  degrading: null,
});
const newer = makeRunReport({ id: 'one-fault', startedAt: '2026-12-02T10:00:00.000Z' });

beforeEach(async () => {
  fx = await hostFixture();
  await writeRunReports(fx.snap, [older, newer]);
  await fx.host.openFolder(fx.snap);
});

afterEach(async () => {
  await fx.cleanup();
});

describe('listRuns', () => {
  it('lists the valid runs newest first with what the list shows', async () => {
    const runs = await fx.host.listRuns();
    expect(runs).toEqual([
      {
        ok: true,
        id: 'one-fault',
        startedAt: newer.startedAt,
        target: newer.target,
        scenario: 'three-vendors',
        steps: 4,
        worstP95Ms: Math.max(...newer.steps.map((s) => s.latencyMs.p95)),
        costAvoidedUsd: newer.costAvoidedUsd,
        interrupted: false,
      },
      expect.objectContaining({ ok: true, id: 'baseline', steps: 4 }),
    ]);
  });

  it('lists broken and hostile files after the runs, each with its reason', async () => {
    const runs = path.join(fx.snap, 'runs');
    await writeFile(
      path.join(runs, 'not-json.json'),
      '{\n  "format": "tapedeck-run/1",\n  oops\n}',
    );
    await writeFile(
      path.join(runs, 'wrong.json'),
      JSON.stringify({ ...newer, steps: [{ ...newer.steps[0], timeouts: -1 }] }, null, 2),
    );
    await mkdir(path.join(runs, 'a-folder.json'));
    execFileSync('mkfifo', [path.join(runs, 'pipe.json')]);
    await writeFile(path.join(fx.base, 'outside.json'), JSON.stringify(older));
    await symlink(path.join(fx.base, 'outside.json'), path.join(runs, 'escape.json'));
    await writeFile(path.join(runs, 'notes.txt'), 'not a run');

    const list = await fx.host.listRuns();
    expect(list.map((r) => r.id)).toEqual([
      'one-fault',
      'baseline',
      'a-folder',
      'escape',
      'not-json',
      'pipe',
      'wrong',
    ]);
    const reason = (id: string) => {
      const r = list.find((x) => x.id === id);
      return r && !r.ok ? `${r.file} ${r.reason}` : 'loaded';
    };
    expect(reason('not-json')).toMatch(/^runs\/not-json\.json line 3: .*invalid JSON/);
    expect(reason('wrong')).toMatch(/steps\[0\]\.timeouts/);
    expect(reason('a-folder')).toContain('a folder');
    expect(reason('pipe')).toContain('named pipe');
    expect(reason('escape')).toContain('outside the opened folder');
  });

  it('answers an empty list for a folder without runs/', async () => {
    await fx.host.openFolder(fx.snap);
    const other = path.join(fx.base, 'other');
    await mkdir(path.join(other, 'calls'), { recursive: true });
    await fx.host.openFolder(other);
    expect(await fx.host.listRuns()).toEqual([]);
  });

  it('refuses runs/ that is a symlink to a folder outside', async () => {
    const other = path.join(fx.base, 'other');
    await mkdir(path.join(other, 'calls'), { recursive: true });
    await symlink(path.join(fx.snap, 'runs'), path.join(other, 'runs'));
    await fx.host.openFolder(other);
    await expect(fx.host.listRuns()).rejects.toMatchObject({ code: 'path_outside' });
  });
});

describe('openRun', () => {
  it('reads a run by id, validated, equal to what was written', async () => {
    expect(await fx.host.openRun('one-fault')).toEqual(newer);
  });

  it('refuses ids that would leave runs/, also through the RPC dispatcher', async () => {
    await writeFile(path.join(fx.snap, 'secret.json'), JSON.stringify(older));
    for (const id of [
      '../secret',
      '../../etc/passwd',
      '..%2fsecret',
      '%2e%2e/secret',
      'a/b',
      '.hidden',
      'x\\..\\..\\secret',
    ]) {
      await expect(fx.host.openRun(id), id).rejects.toMatchObject({ code: 'path_outside' });
    }
    await expect(dispatch(fx.host, 'openRun', ['../secret'])).rejects.toMatchObject({
      code: 'path_outside',
    });
    await expect(dispatch(fx.host, 'openRun', [42])).rejects.toMatchObject({ code: 'bad_request' });
    await symlink(
      path.join(fx.snap, 'secret.json'),
      path.join(fx.snap, 'runs', 'inside-link.json'),
    );
    await writeFile(path.join(fx.base, 'outside.json'), JSON.stringify(older));
    await symlink(path.join(fx.base, 'outside.json'), path.join(fx.snap, 'runs', 'out-link.json'));
    await expect(fx.host.openRun('out-link')).rejects.toMatchObject({ code: 'path_outside' });
    // Inside the folder but not in runs/: still refused.
    await expect(fx.host.openRun('inside-link')).rejects.toMatchObject({ code: 'path_outside' });
  });

  it('refuses a file that is not a run report, naming the field', async () => {
    await writeFile(
      path.join(fx.snap, 'runs', 'wrong.json'),
      JSON.stringify({ ...newer, format: 'tapedeck-run/0' }),
    );
    await expect(fx.host.openRun('wrong')).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^runs\/wrong\.json .*format/),
    });
    await expect(fx.host.openRun('missing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('needs an open folder', async () => {
    const fresh = await hostFixture();
    try {
      await expect(fresh.host.listRuns()).rejects.toMatchObject({ code: 'no_folder' });
      await expect(fresh.host.openRun('one-fault')).rejects.toMatchObject({ code: 'no_folder' });
    } finally {
      await fresh.cleanup();
    }
  });
});
