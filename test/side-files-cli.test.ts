/**
 * A save or recorder killed mid-write leaves side files: `mock` and `record` clean them up when
 * they start, as opening the folder in the desktop app does, so a call a killed save had set
 * aside is served again instead of going missing.
 */
import { readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer } from '../proxy/mock-server.js';
import { startRecordServer } from '../proxy/record-server.js';
import { HOST_TAG } from '../proxy/store/safe-write.js';
import { deadPid } from './support/dead-pid.js';
import { hostFixture, type HostFixture } from './support/host-fixture.js';

let fx: HostFixture;
beforeEach(async () => {
  fx = await hostFixture();
});
afterEach(() => fx.cleanup());

const side = (name: string, pid: number, kind: 'tmp' | 'old') =>
  `.${name}.${HOST_TAG}-${pid}.0123456789ab.tapedeck-${kind}`;

/** Leaves the folder as a save killed between "set aside" and "place" does, plus a dead temp. */
async function killedSave(): Promise<{ calls: string; first: string; count: number }> {
  const calls = path.join(fx.snap, 'calls');
  const names = (await readdir(calls)).filter((n) => n.endsWith('.json')).sort();
  const first = names[0]!;
  const dead = await deadPid();
  await rename(path.join(calls, first), path.join(calls, side(first, dead, 'old')));
  await writeFile(path.join(calls, side(names[1]!, dead, 'tmp')), 'half a file');
  return { calls, first, count: names.length };
}

const lines: string[] = [];
const log = (l: string) => lines.push(l);

describe('side files of killed writers', () => {
  it('mock puts the set-aside call back, removes the dead temp, and serves every call', async () => {
    const { calls, first, count } = await killedSave();
    const mock = await startMockServer({ dir: fx.snap, port: 0, watch: false, log });
    try {
      expect(mock.calls).toBe(count);
      expect((await readdir(calls)).sort()).toContain(first);
      expect((await readdir(calls)).filter((n) => n.startsWith('.'))).toEqual([]);
      expect(lines.some((l) => l.includes(`put back calls/${first}`))).toBe(true);
    } finally {
      await mock.close();
    }
  });

  it('record cleans the folder it records into before the first call', async () => {
    const { calls, first } = await killedSave();
    const rec = await startRecordServer({ dir: fx.snap, port: 0, log });
    try {
      expect(await readdir(calls)).toContain(first);
      expect((await readdir(calls)).filter((n) => n.startsWith('.'))).toEqual([]);
    } finally {
      await rec.close();
    }
  });
});
