/**
 * `loadInbound(dir)`, what `tapedeck load` replays: hostile files in `inbound/` (a FIFO, nesting
 * past the limit, broken JSON, a newer format, the wrong shape) are each one error by name, and
 * never a hang or a crash; the valid exchanges beside them load, in capture order.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { serializeInbound } from '../proxy/inbound/file.js';
import { loadInbound } from '../proxy/store/inbound-load.js';
import { SnapshotMissingError } from '../proxy/store/snapshot-store.js';
import { MAX_JSON_DEPTH } from '../shared/limits.js';
import { INBOUND_FORMAT, type InboundExchange } from '../shared/schema.js';
import { nestedText } from './support/hostile-corpus.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function exchange(seq: number): InboundExchange {
  return {
    format: INBOUND_FORMAT,
    seq,
    recordedAt: '2026-12-03T18:00:00.000Z',
    listen: '4143',
    outcome: 'complete',
    request: {
      method: 'POST',
      path: `/v1/route?n=${seq}`,
      headers: { 'content-type': 'application/json' },
      body: { prompt: `hello ${seq}` },
    },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: { ok: true } },
    timing: { ttfbMs: 1, totalMs: 2 },
  };
}

it('loads the valid exchanges in seq order and reports each hostile file by name and reason', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-inbound-load-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const folder = path.join(dir, 'inbound');
  await mkdir(folder);
  // Names out of seq order: the order comes from seq, not from the name.
  await writeFile(path.join(folder, '000002-POST-v1-route.json'), serializeInbound(exchange(2)));
  await writeFile(path.join(folder, '000010-POST-v1-route.json'), serializeInbound(exchange(1)));
  await writeFile(path.join(folder, 'a-broken.json'), '{"format": "tapedeck-inbound/1", "seq": ');
  const deep = { ...exchange(3), request: { ...exchange(3).request, body: 'DEEP' } };
  await writeFile(
    path.join(folder, 'b-deep.json'),
    serializeInbound(deep).replace('"DEEP"', nestedText(MAX_JSON_DEPTH + 50)),
  );
  await writeFile(
    path.join(folder, 'c-newer.json'),
    serializeInbound(exchange(4)).replace(INBOUND_FORMAT, 'tapedeck-inbound/2'),
  );
  const twoBodies = { ...exchange(5), request: { ...exchange(5).request, bodyText: 'x' } };
  await writeFile(path.join(folder, 'd-two-bodies.json'), JSON.stringify(twoBodies));
  execFileSync('mkfifo', [path.join(folder, 'e-fifo.json')]);
  await writeFile(path.join(folder, 'f-empty.json'), '');
  // Not a .json file: not an exchange, not an error.
  await writeFile(path.join(folder, 'notes.txt'), 'kept by hand');

  const loaded = await loadInbound(dir);
  expect(loaded.exchanges).toEqual([exchange(1), exchange(2)]);
  expect(loaded.errors.map((e) => e.file)).toEqual([
    'inbound/a-broken.json',
    'inbound/b-deep.json',
    'inbound/c-newer.json',
    'inbound/d-two-bodies.json',
    'inbound/e-fifo.json',
    'inbound/f-empty.json',
  ]);
  const reasons = loaded.errors.map((e) => e.reason);
  expect(reasons[0]).toMatch(/invalid JSON/);
  expect(reasons[1]).toMatch(new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`));
  expect(reasons[2]).toMatch(/^format: /);
  expect(reasons[3]).toMatch(/at most one of body, bodyText, bodyBase64/);
  expect(reasons[4]).toMatch(/not a regular file/);
  expect(reasons[5]).toMatch(/empty/);
});

it('has no exchanges for a folder without inbound/, and throws for a folder that is not there', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-inbound-none-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  expect(await loadInbound(dir)).toEqual({ exchanges: [], errors: [] });
  await expect(loadInbound(path.join(dir, 'missing'))).rejects.toBeInstanceOf(SnapshotMissingError);
});
