/**
 * Live changes: call files written by another process or a running recorder reach the UI within a
 * second, with their hash; deletions, manifest and scenario edits and own saves are reported;
 * temp files of atomic writes are not; links leading out are reported without being read.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OUTSIDE_REASON } from '../proxy/host/load-folder.js';
import { startRecordServer } from '../proxy/record-server.js';
import type { ChangeEvent } from '../shared/desktop-api.js';
import { startFakeUpstream } from './support/fake-upstream.js';
import { hostFixture, nextEvent, type HostFixture } from './support/host-fixture.js';

const run = promisify(execFile);
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

let fx: HostFixture;
let events: ChangeEvent[];
let template: { text: string; file: string };

beforeEach(async () => {
  fx = await hostFixture();
  const info = await fx.host.openFolder(fx.snap);
  template = {
    file: info.calls[0]!.file,
    text: (await fx.host.readFile(info.calls[0]!.file)).text,
  };
  events = [];
  fx.host.onChange((e) => events.push(e));
});
afterEach(() => fx.cleanup());

const on = (accept: (e: ChangeEvent) => boolean, ms = 1000) =>
  nextEvent<ChangeEvent>((l) => fx.host.onChange(l), accept, ms);

function callText(id: string, seq: number): string {
  const call = JSON.parse(template.text) as Record<string, unknown>;
  return JSON.stringify({ ...call, id, seq }, null, 2) + '\n';
}

/** Writes like another tapedeck would: a temp file in the same folder, then a rename. */
const WRITER = `
const fs = require('node:fs');
const [file, text] = process.argv.slice(1);
fs.writeFileSync(file + '.' + process.pid, text);
fs.renameSync(file + '.' + process.pid, file);
`;

describe('onChange', () => {
  it('reports a call file another process writes, within a second, with its hash', async () => {
    const text = callText('c_from_other_process', 100);
    const rel = 'calls/000100-other.json';
    const waiting = on((e) => e.path === rel);
    await run(process.execPath, ['-e', WRITER, path.join(fx.snap, rel), text]);
    const { event, afterMs } = await waiting;
    expect(event).toMatchObject({
      kind: 'call',
      path: rel,
      hash: sha(text),
      call: { id: 'c_from_other_process', seq: 100, file: rel },
    });
    expect(afterMs).toBeLessThan(1000);
  });

  it('reports calls a running `tapedeck record` writes into the opened folder within a second', async () => {
    const upstream = await startFakeUpstream({ eventDelayMs: 1 });
    const recorder = await startRecordServer({
      dir: fx.snap,
      port: 0,
      upstreams: { openai: upstream.url },
      log: () => undefined,
    });
    try {
      const client = new OpenAI({
        apiKey: 'sk-watch',
        baseURL: `${recorder.url}/openai/v1`,
        maxRetries: 0,
      });
      for (let i = 0; i < 3; i++) {
        const waiting = on((e) => e.kind === 'call' && e.call.seq === 12 + i);
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `hi ${i}` }],
        });
        const { event, afterMs } = await waiting;
        if (event.kind !== 'call') throw new Error('expected a call event');
        expect(event.path).toMatch(/^calls\/0000\d\d-openai-chat-/);
        expect(event.hash).toBe(sha(await readFile(path.join(fx.snap, event.path))));
        expect(afterMs).toBeLessThan(1000);
      }
    } finally {
      await recorder.close();
      await upstream.close();
    }
  });

  it('never reports the temp files of atomic writes', async () => {
    await writeFile(path.join(fx.snap, 'calls', '000200-x.json.123456'), '{"half":');
    await writeFile(path.join(fx.snap, 'tapedeck.json.99.1700000000.tmp'), '{');
    const rel = 'calls/000201-y.json';
    const waiting = on((e) => e.path === rel);
    await writeFile(path.join(fx.snap, rel), callText('c_y', 201));
    await waiting;
    await new Promise((r) => setTimeout(r, 150));
    expect(events.map((e) => e.path)).toEqual([rel]);
  });

  it('reports a bad call file as an error with its line, and a deletion as removed', async () => {
    const rel = 'calls/000300-bad.json';
    const waiting = on((e) => e.path === rel);
    await writeFile(path.join(fx.snap, rel), '{\n  "id": "c_bad",\n  "seq": "three"\n}\n');
    expect((await waiting).event).toMatchObject({
      kind: 'error',
      path: rel,
      error: { file: rel, line: 3 },
    });
    const removed = on((e) => e.path === template.file);
    await rm(path.join(fx.snap, template.file));
    expect((await removed).event).toEqual({ kind: 'removed', path: template.file });
  });

  it('reports manifest and scenario edits with the current manifest', async () => {
    const manifest = on((e) => e.path === 'tapedeck.json');
    await writeFile(
      path.join(fx.snap, 'tapedeck.json'),
      '{ "format": "tapedeck/1", "notes": "edited" }\n',
    );
    expect((await manifest).event).toEqual({
      kind: 'manifest',
      path: 'tapedeck.json',
      manifest: { format: 'tapedeck/2', notes: 'edited' },
    });

    const scenario = on((e) => e.path === 'scenarios/slow.json');
    await writeFile(
      path.join(fx.snap, 'scenarios', 'slow.json'),
      '{ "faults": [{ "kind": "latency", "scale": 2 }] }',
    );
    expect((await scenario).event).toEqual({
      kind: 'manifest',
      path: 'scenarios/slow.json',
      manifest: { format: 'tapedeck/2', notes: 'edited' },
    });

    const broken = on((e) => e.path === 'tapedeck.json');
    await writeFile(path.join(fx.snap, 'tapedeck.json'), '{ "format": 2 }');
    expect((await broken).event).toMatchObject({
      kind: 'error',
      path: 'tapedeck.json',
      error: { file: 'tapedeck.json', reason: expect.stringMatching(/^format/) as string },
    });
  });

  it('sees a write that lands right after the previous event of the same file', async () => {
    // A second write right after the first must still be seen, as its own final state.
    const file = path.join(fx.snap, 'tapedeck.json');
    const first = on((e) => e.path === 'tapedeck.json');
    await writeFile(file, JSON.stringify({ format: 'tapedeck/1', notes: 'first' }));
    await first;
    await writeFile(file, JSON.stringify({ format: 'tapedeck/1', notes: 'second' }));
    await vi.waitFor(
      () =>
        expect(events.filter((e) => e.path === 'tapedeck.json').at(-1)).toEqual({
          kind: 'manifest',
          path: 'tapedeck.json',
          manifest: { format: 'tapedeck/2', notes: 'second' },
        }),
      { timeout: 1000, interval: 20 },
    );
  });

  it('reports its own saves with the new hash', async () => {
    const before = await fx.host.readFile(template.file);
    const text = before.text.replace('"outcome": "complete"', '"outcome": "aborted"');
    const waiting = on((e) => e.path === template.file);
    const result = await fx.host.saveFile(template.file, text, before.hash);
    expect(result.ok).toBe(true);
    expect((await waiting).event).toMatchObject({
      kind: 'call',
      hash: sha(text),
      call: { outcome: 'aborted' },
    });
  });

  it('reports a link leading out as an error without reading it', async () => {
    const secret = path.join(fx.base, 'secret.json');
    await writeFile(secret, '{"token": "SECRET-c0ffee"}');
    const waiting = on((e) => e.path === 'calls/999999-link.json');
    const tmp = path.join(fx.snap, 'calls', 'link.tmp');
    await symlink(secret, tmp);
    await rename(tmp, path.join(fx.snap, 'calls', '999999-link.json'));
    const { event } = await waiting;
    expect(event).toEqual({
      kind: 'error',
      path: 'calls/999999-link.json',
      error: { file: 'calls/999999-link.json', reason: OUTSIDE_REASON },
    });
  });

  it('stops reporting the old folder once another is opened', async () => {
    const other = path.join(fx.base, 'other');
    await fx.host.saveFile('notes.json', '{}', null);
    await run(process.execPath, [
      '-e',
      `require('node:fs').cpSync(${JSON.stringify(fx.snap)}, ${JSON.stringify(other)}, { recursive: true })`,
    ]);
    await fx.host.openFolder(other);
    events.length = 0;
    await writeFile(path.join(fx.snap, 'calls', '000400-old.json'), callText('c_old', 400));
    const waiting = on((e) => e.path === 'calls/000401-new.json');
    await writeFile(path.join(other, 'calls', '000401-new.json'), callText('c_new', 401));
    await waiting;
    await new Promise((r) => setTimeout(r, 150));
    expect(events.map((e) => e.path)).toEqual(['calls/000401-new.json']);
  });
});
