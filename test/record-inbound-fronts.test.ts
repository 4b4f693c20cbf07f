/**
 * `--inbound` repeated: each front forwards to its own app and says which front an exchange came
 * in on, and all of them share one capture sequence in one `inbound/` folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { assertBuilt, startCli } from './support/cli.js';
import { frontUrl, readInbound, startApp } from './support/inbound.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('runs one front per flag, each to its app, numbered in one sequence', async () => {
  assertBuilt();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-inbound-fronts-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const apps = await Promise.all(
    ['users', 'orders'].map((name) =>
      startApp((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ app: name, url: req.url }));
      }),
    ),
  );
  for (const a of apps) cleanups.push(() => a.close());
  const [users, orders] = apps as [(typeof apps)[0], (typeof apps)[0]];
  const cli = await startCli([
    'record',
    dir,
    '--port',
    '0',
    '--inbound',
    `0=${users.url}`,
    '--inbound',
    `0=${orders.url}/shop`,
  ]);
  cleanups.push(() => cli.stop());
  const usersFront = await frontUrl(cli, users.url);
  const ordersFront = await frontUrl(cli, `${orders.url}/shop`);
  expect(usersFront).not.toBe(ordersFront);

  const get = async (url: string) => (await fetch(url)).json();
  expect(await get(`${usersFront}/u/1`)).toEqual({ app: 'users', url: '/u/1' });
  expect(await get(`${ordersFront}/o/2?full=1`)).toEqual({
    app: 'orders',
    url: '/shop/o/2?full=1',
  });
  expect(await get(`${usersFront}/u/3`)).toEqual({ app: 'users', url: '/u/3' });
  expect((await cli.stop()).code, cli.stderr()).toBe(0);

  const port = (u: string) => new URL(u).port;
  expect((await readInbound(dir)).map((e) => [e.file, e.listen, e.request.path])).toEqual([
    ['000001-GET-u-1.json', port(usersFront), '/u/1'],
    ['000002-GET-o-2.json', port(ordersFront), '/o/2?full=1'],
    ['000003-GET-u-3.json', port(usersFront), '/u/3'],
  ]);
});
