/**
 * What an `--inbound` front does not record: an app that is down (a 502 in a JSON error), a body
 * over --max-body (a 413, never forwarded), and a flag that does not parse (exit 2, one line).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, startCli } from './support/cli.js';
import { deadUrl, frontUrl, readInbound, startApp } from './support/inbound.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tmp(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-inbound-err-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('an inbound front refuses to record what it cannot', () => {
  it('answers 502 in a JSON error when the app is down, and writes nothing', async () => {
    assertBuilt();
    const dir = await tmp();
    const target = await deadUrl();
    const cli = await startCli([
      'record',
      dir,
      '--port',
      '0',
      '--strict',
      '--inbound',
      `0=${target}`,
    ]);
    cleanups.push(() => cli.stop());
    const front = await frontUrl(cli, target);

    const r = await fetch(`${front}/v1/route`, { method: 'POST', body: '{"q":1}' });
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toBe('application/json');
    const body = (await r.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('tapedeck_bad_gateway');
    expect(body.error.message).toContain(target);

    const exit = await cli.stop();
    // --strict counts it as not recorded.
    expect(exit.code).toBe(1);
    expect(cli.stderr()).toMatch(/NOT RECORDED: the app at .* could not be reached/);
    expect(cli.stderr()).toContain(
      `  POST /v1/route on inbound:${new URL(front).port} → 502: the app at ${target} could not be reached`,
    );
    expect(await readInbound(dir)).toEqual([]);
  });

  it('answers 413 to a body over --max-body without forwarding it, and writes nothing', async () => {
    assertBuilt();
    const dir = await tmp();
    let reached = 0;
    const app = await startApp((req, res) => {
      reached++;
      req.resume();
      res.end('ok');
    });
    cleanups.push(() => app.close());
    const cli = await startCli([
      'record',
      dir,
      '--port',
      '0',
      '--max-body',
      '1k',
      '--inbound',
      `0=${app.url}`,
    ]);
    cleanups.push(() => cli.stop());
    const front = await frontUrl(cli, app.url);

    const r = await fetch(`${front}/upload`, { method: 'POST', body: 'x'.repeat(4096) });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { type: string } }).error.type).toBe('tapedeck_too_large');
    // A body within the limit still goes through, on a new connection.
    const ok = await fetch(`${front}/upload`, { method: 'POST', body: 'small' });
    expect(await ok.text()).toBe('ok');

    expect((await cli.stop()).code).toBe(0);
    expect(reached).toBe(1);
    expect((await readInbound(dir)).map((e) => [e.file, e.request.bodyText])).toEqual([
      ['000001-POST-upload.json', 'small'],
    ]);
  });

  it('exits 2 with one line for an --inbound flag that does not parse', async () => {
    assertBuilt();
    const dir = await tmp();
    const r = await runCli(['record', path.join(dir, 'snap'), '--port', '0', '--inbound', 'nope'], {
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'tapedeck: --inbound wants PORT=URL (e.g. 4143=http://127.0.0.1:8000), got "nope"\n',
    );
    // Refused before anything was created.
    expect(await readdir(dir)).toEqual([]);
  });
});
