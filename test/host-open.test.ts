import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostFixture, type HostFixture } from './support/host-fixture.js';

let fx: HostFixture | null = null;
afterEach(async () => {
  await fx?.cleanup();
  fx = null;
});

describe('opening a folder', () => {
  it('lists the valid scenarios, sorted, and reports a broken one as an error instead', async () => {
    fx = await hostFixture();
    await mkdir(path.join(fx.snap, 'scenarios'), { recursive: true });
    await writeFile(path.join(fx.snap, 'scenarios', 'zeta.json'), '{ "faults": [] }');
    await writeFile(
      path.join(fx.snap, 'scenarios', 'alpha.json'),
      '{ "faults": [{ "kind": "cutStream", "afterEvents": 2 }] }',
    );
    await writeFile(
      path.join(fx.snap, 'scenarios', 'broken.json'),
      '{ "faults": [{ "kind": "nope" }] }',
    );
    const info = await fx.host.openFolder(fx.snap);
    expect(info.scenarios.filter((n) => n === 'alpha' || n === 'zeta' || n === 'broken')).toEqual([
      'alpha',
      'zeta',
    ]);
    expect(info.errors.map((e) => e.file)).toContain('scenarios/broken.json');
    expect([...info.scenarios].sort()).toEqual(info.scenarios);
  });

  it('gives each call its recording time for the table', async () => {
    fx = await hostFixture();
    const info = await fx.host.openFolder(fx.snap);
    expect(info.calls.length).toBeGreaterThan(0);
    for (const c of info.calls) expect(Number.isNaN(Date.parse(c.recordedAt))).toBe(false);
  });
});
