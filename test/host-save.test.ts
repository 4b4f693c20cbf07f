/**
 * Saving from the editor: validation with line numbers, the stale-hash conflict (R13) including an
 * external edit of the same size and mtime, and atomic writes (no half files, no temp files left).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SaveResult } from '../shared/desktop-api.js';
import { hostFixture, type HostFixture } from './support/host-fixture.js';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

let fx: HostFixture;
let callFile: string;

beforeEach(async () => {
  fx = await hostFixture();
  const info = await fx.host.openFolder(fx.snap);
  callFile = info.calls[0]!.file;
});
afterEach(() => fx.cleanup());

function expectConflict(result: SaveResult): Extract<SaveResult, { reason: 'conflict' }> {
  if (result.ok || result.reason !== 'conflict')
    throw new Error(`expected a conflict, got ${JSON.stringify(result)}`);
  return result;
}

function expectInvalid(result: SaveResult): Extract<SaveResult, { reason: 'invalid' }> {
  if (result.ok || result.reason !== 'invalid')
    throw new Error(`expected invalid, got ${JSON.stringify(result)}`);
  return result;
}

describe('readFile', () => {
  it('returns the text and the sha256 of the bytes on disk', async () => {
    const bytes = await readFile(path.join(fx.snap, callFile));
    const content = await fx.host.readFile(callFile);
    expect(content).toEqual({ path: callFile, text: bytes.toString('utf8'), hash: sha(bytes) });
  });

  it('answers not_found for a missing file and bad_request for a folder', async () => {
    await expect(fx.host.readFile('calls/none.json')).rejects.toMatchObject({ code: 'not_found' });
    await expect(fx.host.readFile('calls')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('refuses a FIFO named *.json at once, for reading and for saving over it', async () => {
    execFileSync('mkfifo', [path.join(fx.snap, 'calls', 'pipe.json')]);
    // Before, a read waited for a writer forever (and a save too, reading what it replaces).
    await expect(fx.host.readFile('calls/pipe.json')).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('named pipe') as unknown,
    });
    const text = (await fx.host.readFile(callFile)).text;
    await expect(fx.host.saveFile('calls/pipe.json', text, null)).rejects.toMatchObject({
      code: 'bad_request',
    });
    expect((await stat(path.join(fx.snap, 'calls', 'pipe.json'))).isFIFO()).toBe(true);
  }, 10_000);
});

describe('saveFile', () => {
  it('writes a valid edit and answers the new hash and the call row', async () => {
    const before = await fx.host.readFile(callFile);
    const call = JSON.parse(before.text) as { timing: { totalMs: number } };
    call.timing.totalMs = 4321;
    const text = JSON.stringify(call, null, 2) + '\n';
    const result = await fx.host.saveFile(callFile, text, before.hash);
    expect(result).toMatchObject({
      ok: true,
      hash: sha(text),
      call: { file: callFile, totalMs: 4321 },
    });
    expect(await readFile(path.join(fx.snap, callFile), 'utf8')).toBe(text);
    expect((await fx.host.readFile(callFile)).hash).toBe(sha(text));
  });

  it('R13: a stale hash gets a conflict with the current content, and nothing is written', async () => {
    const before = await fx.host.readFile(callFile);
    const external = before.text.replace('"outcome": "complete"', '"outcome": "aborted"');
    await writeFile(path.join(fx.snap, callFile), external);
    const result = expectConflict(await fx.host.saveFile(callFile, before.text, before.hash));
    expect(result.current).toEqual({ path: callFile, text: external, hash: sha(external) });
    expect(await readFile(path.join(fx.snap, callFile), 'utf8')).toBe(external);
  });

  it('R13: an external edit of the same size and the same mtime is still caught', async () => {
    const abs = path.join(fx.snap, callFile);
    const before = await fx.host.readFile(callFile);
    const { atime, mtime, size } = await stat(abs);
    const external = before.text.replace('"seq": 1,', '"seq": 7,');
    expect(external).not.toBe(before.text);
    expect(Buffer.byteLength(external)).toBe(size);
    await writeFile(abs, external);
    await utimes(abs, atime, mtime);
    const result = expectConflict(await fx.host.saveFile(callFile, before.text, before.hash));
    expect(result.current.text).toBe(external);
  });

  it('a null baseHash creates a new file, and conflicts when the file exists', async () => {
    const scenario = '{ "faults": [{ "kind": "serverError", "status": 503 }] }\n';
    expect(await fx.host.saveFile('scenarios/new.json', scenario, null)).toEqual({
      ok: true,
      hash: sha(scenario),
    });
    expect(await readFile(path.join(fx.snap, 'scenarios/new.json'), 'utf8')).toBe(scenario);
    expectConflict(await fx.host.saveFile('tapedeck.json', '{ "format": "tapedeck/1" }', null));
  });

  it('of many saves with one base, exactly one wins', async () => {
    const before = await fx.host.readFile('tapedeck.json');
    const texts = Array.from(
      { length: 8 },
      (_, i) => `{ "format": "tapedeck/1", "notes": "writer ${i}" }\n`,
    );
    const results = await Promise.all(
      texts.map((t) => fx.host.saveFile('tapedeck.json', t, before.hash)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = texts[results.findIndex((r) => r.ok)];
    expect(await readFile(path.join(fx.snap, 'tapedeck.json'), 'utf8')).toBe(winner);
  });

  it('refuses invalid JSON with the line of the error, and writes nothing', async () => {
    const before = await fx.host.readFile('tapedeck.json');
    const text = '{\n  "format": "tapedeck/1",\n  "notes": "x",\n}\n';
    const result = expectInvalid(await fx.host.saveFile('tapedeck.json', text, before.hash));
    expect(result.errors).toEqual([
      { file: 'tapedeck.json', line: 4, reason: expect.stringMatching(/^invalid JSON/) as string },
    ]);
    expect((await fx.host.readFile('tapedeck.json')).text).toBe(before.text);
  });

  it('refuses a call that breaks the schema, naming the field and its line', async () => {
    const before = await fx.host.readFile(callFile);
    const lines = before.text.split('\n');
    const statusLine = lines.findIndex((l) => l.trim().startsWith('"status":'));
    lines[statusLine] = lines[statusLine]!.replace(/\d+/, '"two hundred"');
    const result = expectInvalid(await fx.host.saveFile(callFile, lines.join('\n'), before.hash));
    expect(result.errors[0]).toMatchObject({ file: callFile, line: statusLine + 1 });
    expect(result.errors[0]?.reason).toMatch(/^response\.status/);
    expect((await fx.host.readFile(callFile)).text).toBe(before.text);
  });

  it('checks each place against its own schema', async () => {
    expectInvalid(
      await fx.host.saveFile('scenarios/bad.json', '{ "faults": [{ "kind": "nope" }] }', null),
    );
    expectInvalid(
      await fx.host.saveFile(
        'tapedeck.json',
        '{ "format": 1 }',
        (await fx.host.readFile('tapedeck.json')).hash,
      ),
    );
    expectInvalid(await fx.host.saveFile('calls/new.json', '{ "id": "x" }', null));
    // Other JSON files only need to be JSON.
    expect(await fx.host.saveFile('notes/todo.json', '[1, 2]', null)).toMatchObject({ ok: true });
  });

  it('saves only .json files', async () => {
    await expect(fx.host.saveFile('calls/x.txt', '{}', null)).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(fx.host.saveFile('tapedeck.json.bak', '{}', null)).rejects.toMatchObject({
      code: 'bad_request',
    });
  });

  it('is atomic: readers see the old or the new version, never a mix, and no temp file stays', async () => {
    const abs = path.join(fx.snap, callFile);
    const base = await fx.host.readFile(callFile);
    const call = JSON.parse(base.text) as { request: { headers: Record<string, string> } };
    // Big versions, so a non-atomic write would be observed half done.
    const versions = Array.from({ length: 12 }, (_, i) => {
      call.request.headers['x-padding'] = String(i).repeat(200_000);
      return JSON.stringify(call, null, 2) + '\n';
    });
    const allowed = new Set([base.text, ...versions]);
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        const text = await readFile(abs, 'utf8');
        expect(allowed.has(text)).toBe(true);
        reads++;
      }
    })();
    let hash = base.hash;
    for (const v of versions) {
      const result = await fx.host.saveFile(callFile, v, hash);
      if (!result.ok) throw new Error(JSON.stringify(result));
      hash = result.hash;
    }
    reading = false;
    await reader;
    expect(reads).toBeGreaterThan(5);
    expect(await readFile(abs, 'utf8')).toBe(versions.at(-1));
    expect(
      (await readdir(path.join(fx.snap, 'calls'))).filter((n) => !n.endsWith('.json')),
    ).toEqual([]);
  });
});
