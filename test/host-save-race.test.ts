/**
 * Saves racing other writers (R12, R13) and saves killed mid-way (R11): another process replaces or
 * rewrites the file while the host saves it, and no outside write may be overwritten unless the
 * save answered a conflict; `kill -9` during saves and recorder writes leaves side files that the
 * next open removes, and the file is always one whole version.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOST_TAG, STALE_AFTER_MS, cleanSideFiles } from '../proxy/store/safe-write.js';
import { serializeCall } from '../proxy/store/snapshot-store.js';
import type { SaveResult } from '../shared/desktop-api.js';
import type { Call } from '../shared/schema.js';
import { deadPid } from './support/dead-pid.js';
import { hostFixture, type HostFixture } from './support/host-fixture.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const SIDE = /\.tapedeck-(tmp|old)$/;
/** calls/ holds call files only: anything else there is a leftover of some writer. */
const notCall = (name: string) => !name.endsWith('.json');

let fx: HostFixture;
let rel: string;
let abs: string;
let template: Record<string, unknown> & { request: { headers: Record<string, string> } };

beforeEach(async () => {
  fx = await hostFixture();
  const info = await fx.host.openFolder(fx.snap);
  rel = info.calls[0]!.file;
  abs = path.join(fx.snap, rel);
  template = JSON.parse(await readFile(abs, 'utf8')) as typeof template;
});
afterEach(() => fx.cleanup());

/**
 * A valid call file whose content names `mark`, padded in one header. Serialized as the recorder
 * does, so the recorder writing it back gives the same bytes.
 */
function version(mark: string, padding = 50_000): string {
  const call = structuredClone(template);
  call.request.headers['x-version'] = mark;
  call.request.headers['x-padding'] = 'p'.repeat(padding);
  return serializeCall(call as unknown as Call);
}

/**
 * Another process that writes the file on command: `atomic` like editors and `tapedeck record`
 * (temp file + rename over the name), `inplace` like `fs.writeFile` (truncate, then write). It waits
 * the given delay first, busy, so the write lands at a chosen moment of the host's save.
 */
const WRITER = `
const fs = require('node:fs');
const rl = require('node:readline').createInterface({ input: process.stdin });
let n = 0;
rl.on('line', (line) => {
  const { file, mode, delayMs, text } = JSON.parse(line);
  const until = performance.now() + delayMs;
  while (performance.now() < until);
  if (mode === 'atomic') {
    const tmp = file + '.outside-' + process.pid + '-' + n++;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } else {
    fs.writeFileSync(file, text);
  }
  process.stdout.write('done\\n');
});
process.stdout.write('ready\\n');
`;

function startWriter(): { child: ChildProcessWithoutNullStreams; next: () => Promise<string> } {
  const child = spawn(process.execPath, ['-e', WRITER]);
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  return { child, next: () => new Promise((resolve) => waiting.push(resolve)) };
}

describe('saves racing outside writers', () => {
  it('R12/R13: of 200 outside writes during saves, none is overwritten without a conflict', async () => {
    const writer = startWriter();
    try {
      expect(await writer.next()).toBe('ready');
      // How long a save takes here, so the outside writes are spread over before, during, after.
      const base = version('base');
      await writeFile(abs, base);
      const durations: number[] = [];
      let hash = sha(base);
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const r = await fx.host.saveFile(rel, version(`warm-${i}`), hash);
        if (!r.ok) throw new Error(JSON.stringify(r));
        hash = r.hash;
        durations.push(performance.now() - started);
      }
      const span = Math.max(1, [...durations].sort((a, b) => a - b)[2]! * 1.5);

      const outcomes = { conflict: 0, savedThenTheirs: 0 };
      const overwritten: string[] = [];
      for (let i = 0; i < 200; i++) {
        const mode = i % 2 === 0 ? 'atomic' : 'inplace';
        const start = version(`start-${i}`);
        await writeFile(abs, start);
        const ours = version(`ours-${i}`);
        const theirs = version(`theirs-${i}`);
        const done = writer.next();
        writer.child.stdin.write(
          JSON.stringify({ file: abs, mode, delayMs: Math.random() * span, text: theirs }) + '\n',
        );
        const result: SaveResult = await fx.host.saveFile(rel, ours, sha(start));
        expect(await done).toBe('done');
        const final = await readFile(abs, 'utf8');
        if (result.ok && final === theirs) outcomes.savedThenTheirs++;
        else if (!result.ok && result.reason === 'conflict' && final === theirs) {
          outcomes.conflict++;
          // In place, the conflict can catch their write half done: what it shows is theirs so far.
          expect(theirs.startsWith(result.current.text), `trial ${i}`).toBe(true);
        } else {
          overwritten.push(
            `trial ${i} (${mode}): ${result.ok ? 'ok' : result.reason}, on disk ${
              final === ours ? 'ours' : final === start ? 'the start version' : 'something else'
            }`,
          );
        }
      }
      expect(overwritten).toEqual([]);
      // Both kinds of outcome happened, so the writes really did land around the saves.
      expect(outcomes.conflict).toBeGreaterThan(0);
      expect(outcomes.savedThenTheirs).toBeGreaterThan(0);
      expect((await readdir(path.dirname(abs))).filter((n) => SIDE.test(n))).toEqual([]);
    } finally {
      writer.child.kill();
    }
  }, 180_000);
});

/**
 * A child that writes `rel` over and over through the real code until it is killed: `save` via the
 * host's saveFileIn (alternating two versions, each based on what it read), `record` via the
 * recorder's writeCallFile. It prints `ready` once loaded.
 */
function writerScript(mode: 'save' | 'record', snap: string, file: string, versions: string[]) {
  // The versions are files: megabytes do not fit in a command line.
  const dist = (p: string) => JSON.stringify(path.join(root, 'dist', p));
  return `
const { readFile } = require('node:fs/promises');
const { createHash } = require('node:crypto');
(async () => {
  const { saveFileIn } = await import(${dist('proxy/host/files.js')});
  const { writeCallFile } = await import(${dist('proxy/store/snapshot-store.js')});
  const snap = ${JSON.stringify(snap)};
  const rel = ${JSON.stringify(file)};
  const versions = await Promise.all(
    ${JSON.stringify(versions)}.map((f) => readFile(f, 'utf8')),
  );
  process.stdout.write('ready\\n');
  for (let i = 0; ; i++) {
    const text = versions[i % 2];
    if (${JSON.stringify(mode)} === 'save') {
      const current = await readFile(snap + '/' + rel);
      await saveFileIn(snap, rel, text, createHash('sha256').update(current).digest('hex'));
    } else {
      await writeCallFile(snap, JSON.parse(text), rel.slice('calls/'.length));
    }
  }
})();
`;
}

async function killMidWrite(script: string, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGKILL');
  await exited;
}

describe('saves killed with kill -9', () => {
  it('R11: opening the folder removes what killed saves and recordings left; the file is whole', async () => {
    if (!existsSync(path.join(root, 'dist', 'proxy', 'host', 'files.js')))
      throw new Error('dist/ is missing: run `npm run build:node` first');
    // Big versions, so that a kill at a random moment often lands inside a write.
    const versions = [version('A', 3_000_000), version('B', 3_000_000)];
    await writeFile(abs, versions[0]!);
    const versionFiles = ['A', 'B'].map((v) => path.join(fx.base, `version-${v}.json`));
    for (const [i, f] of versionFiles.entries()) await writeFile(f, versions[i]!);
    const dir = path.dirname(abs);
    let leftBehind = 0;
    const kills = 50;
    for (let i = 0; i < kills; i++) {
      const mode = i % 3 === 2 ? 'record' : 'save';
      await killMidWrite(writerScript(mode, fx.snap, rel, versionFiles), 20 + Math.random() * 60);
      leftBehind += (await readdir(dir)).filter(notCall).length;

      const info = await fx.host.openFolder(fx.snap);
      expect((await readdir(dir)).filter(notCall), `after kill ${i}`).toEqual([]);
      const text = await readFile(abs, 'utf8');
      expect(versions.includes(text), `after kill ${i} the file is A or B`).toBe(true);
      expect(info.calls.map((c) => c.file)).toContain(rel);
      expect(info.errors).toEqual([]);
    }
    // The kills did land mid-write: otherwise this test would prove nothing.
    expect(leftBehind).toBeGreaterThan(0);
  }, 300_000);
});

describe('clean-up of side files', () => {
  const side = (name: string, host: string, pid: number, kind: 'tmp' | 'old') =>
    `.${name}.${host}-${pid}.0123456789ab.tapedeck-${kind}`;

  it('removes those of dead writers, puts back a set-aside file that lost its name, keeps the rest', async () => {
    const dir = path.join(fx.snap, 'calls');
    const dead = await deadPid();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const live = sleeper.pid!;
      const lost = '000777-lost.json';
      const lostText = serializeCall({
        ...(JSON.parse(version('set aside by a save that was killed')) as Call),
        id: 'c_lost',
        seq: 777,
      });
      const files: Record<string, string> = {
        [side('000001-x.json', HOST_TAG, dead, 'tmp')]: 'half a',
        [side(lost, HOST_TAG, dead, 'old')]: lostText,
        [side(path.basename(rel), HOST_TAG, dead, 'old')]: 'an old version, replaced since',
        [side('000002-x.json', HOST_TAG, live, 'tmp')]: 'a live recorder writing',
        [side('000003-x.json', HOST_TAG, process.pid, 'tmp')]: 'this process writing',
        [side('000004-x.json', 'ffffff', dead, 'tmp')]: 'another machine writing',
        'notes.txt': 'not ours',
      };
      for (const [n, text] of Object.entries(files)) await writeFile(path.join(dir, n), text);
      const before = await readFile(abs, 'utf8');

      const info = await fx.host.openFolder(fx.snap);
      const left = (await readdir(dir)).filter(notCall).sort();
      expect(left).toEqual(
        [
          side('000002-x.json', HOST_TAG, live, 'tmp'),
          side('000003-x.json', HOST_TAG, process.pid, 'tmp'),
          side('000004-x.json', 'ffffff', dead, 'tmp'),
          'notes.txt',
        ].sort(),
      );
      expect(await readFile(path.join(dir, lost), 'utf8')).toBe(lostText);
      expect(info.calls.map((c) => c.file)).toContain(`calls/${lost}`);
      expect(await readFile(abs, 'utf8')).toBe(before);

      // A live pid on a side file this old is a reused pid: nothing writes for an hour.
      const later = await cleanSideFiles(dir, { now: Date.now() + STALE_AFTER_MS + 1000 });
      expect(later.removed.sort()).toEqual(left.filter((n) => n !== 'notes.txt'));
      expect((await readdir(dir)).filter(notCall)).toEqual(['notes.txt']);
    } finally {
      sleeper.kill();
      await rm(path.join(fx.snap, 'calls', 'notes.txt'), { force: true });
    }
  });
});
