/** `tapedeck mock` says at exit how many requests it replayed and the cost that avoided. */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCost } from '../shared/format.js';
import type { Call } from '../shared/schema.js';
import { assertBuilt, repoRoot, runCli } from './support/cli.js';

let dir = '';
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the mock exit line', () => {
  it('counts requests, hits and misses, and sums the recorded cost of the hits', async () => {
    assertBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-exit-'));
    await cp(path.join(repoRoot, 'samples', 'demo'), dir, { recursive: true });
    const file = path.join(dir, 'calls', '000001-openai-chat-gpt-4o-mini-2024-07-18.json');
    const call = JSON.parse(await readFile(file, 'utf8')) as Call;
    const body = JSON.stringify(call.request.body);
    const changed = body.replace('weather', 'climate');
    expect(changed).not.toBe(body);
    const script = `
      const send = (body) => fetch(process.env.OPENAI_BASE_URL + '/chat/completions', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body,
      }).then((r) => r.arrayBuffer().then(() => r.status));
      console.log('statuses', await send(${JSON.stringify(body)}), await send(${JSON.stringify(changed)}));
      const stats = await (await fetch(process.env.TAPEDECK_URL + '/__tapedeck/stats')).json();
      console.log('avoided', stats.costAvoidedUsd);`;
    const r = await runCli([
      'mock',
      dir,
      '--port',
      '0',
      '--',
      process.execPath,
      '--input-type=module',
      '-e',
      script,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('statuses 200 404');
    const avoided = Number(/avoided (\S+)/.exec(r.stdout)?.[1]);
    expect(avoided).toBeGreaterThan(0);
    expect(r.stderr).toContain(
      `tapedeck: 2 request(s), 1 replayed, 1 unmatched, ${formatCost(avoided)} avoided\n`,
    );
  });
});
