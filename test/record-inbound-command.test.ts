/**
 * `tapedeck record DIR --inbound PORT=URL -- CMD`: CMD is the app itself. It starts on its port,
 * calls itself through the front and exits; the recorder records that exchange and exits with
 * CMD's code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { assertBuilt, runCli } from './support/cli.js';
import { deadUrl, readInbound } from './support/inbound.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('fronts the app that -- CMD runs, and exits with its code', async () => {
  assertBuilt();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-inbound-cmd-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  // Two ports free a moment ago: the app's, and the front's (a fixed one, as a user gives it).
  const appPort = Number(new URL(await deadUrl()).port);
  const frontPort = Number(new URL(await deadUrl()).port);
  const script = `
    import http from 'node:http';
    const server = http.createServer((req, res) => {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end('made ' + req.url);
    });
    server.listen(${appPort}, '127.0.0.1', async () => {
      const r = await fetch('http://127.0.0.1:${frontPort}/items?id=7', { method: 'PUT', body: 'item seven' });
      console.log('app saw', r.status, await r.text());
      server.close();
      process.exit(3);
    });`;
  const r = await runCli(
    [
      'record',
      dir,
      '--port',
      '0',
      '--inbound',
      `${frontPort}=http://127.0.0.1:${appPort}/`,
      '--',
      process.execPath,
      '--input-type=module',
      '-e',
      script,
    ],
    { timeoutMs: 30_000 },
  );
  expect(r.timedOut).toBe(false);
  expect(r.code, r.stderr).toBe(3);
  expect(r.stdout).toContain('app saw 201 made /items?id=7');
  // The trailing slash of the flag's URL is not doubled.
  expect(r.stderr).toContain(`inbound ${frontPort} → http://127.0.0.1:${appPort}\n`);
  const files = await readInbound(dir);
  expect(files.map((e) => [e.file, e.listen, e.request.bodyText, e.response.bodyText])).toEqual([
    ['000001-PUT-items.json', String(frontPort), 'item seven', 'made /items?id=7'],
  ]);
});
