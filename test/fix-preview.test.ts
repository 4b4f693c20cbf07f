/**
 * previewFixIn: the exact edit of a fix, from misses a real mock saw through the real `openai`
 * SDK; saved with saveFileIn, the running mock reloads and the same request hits. A rule over two
 * calls fixes both misses; a save over a file changed since the preview is a conflict.
 */
import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { previewFixIn } from '../proxy/host/fix-preview.js';
import { saveFileIn } from '../proxy/host/files.js';
import { HostError } from '../proxy/host/host-error.js';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import type { MissGroup } from '../shared/mock-link.js';
import {
  ask,
  chatRequest,
  chatSnapshot,
  datedChat,
  openaiClient,
  type ChatCall,
} from './support/chat-snapshot.js';
import { missGroupOf } from './support/miss-group.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const RECORDED: ChatCall[] = [
  datedChat('gpt-4o-mini', '2026-01-01', 'Summarize the report for Q3', 'Revenue grew.'),
  datedChat('gpt-4o-mini', '2026-01-01', 'Capital of Spain?', 'Madrid'),
  datedChat('gpt-4o', '2026-01-01', 'Capital of Italy?', 'Rome'),
];

async function running(): Promise<{ mock: RunningMock; dir: string; files: string[] }> {
  const { dir, files } = await chatSnapshot(RECORDED);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const mock = await startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    watch: true,
    log: () => {},
  });
  cleanups.push(() => mock.close());
  return { mock, dir, files };
}

/** Sends the request through the SDK (a miss), then builds the group the miss panel would keep. */
async function missed(
  mock: RunningMock,
  dir: string,
  c: Omit<ChatCall, 'reply'>,
): Promise<MissGroup> {
  expect(await ask(openaiClient(mock.url), c)).toBe(404);
  const group = await missGroupOf(dir, chatRequest(c));
  // The mock itself named the same closest call.
  expect(mock.misses.at(-1)?.closestFile).toBe(group.closest?.file);
  return group;
}

describe('previewFixIn', () => {
  it('widen: the shown edit, saved, makes the same SDK request hit the running mock', async () => {
    const { mock, dir, files } = await running();
    const changed = datedChat('gpt-4o-mini', '2026-01-01', 'Summarize the report for 2025');
    const group = await missed(mock, dir, changed);

    const preview = await previewFixIn(dir, { kind: 'widen', key: group.key }, [group]);
    expect(preview.path).toBe(files[0]);
    expect(preview.before).toBe(await readFile(path.join(dir, preview.path), 'utf8'));
    expect(preview.changes).toEqual([
      '$.messages[1].content: "Summarize the report for Q3" → "Summarize the report for *"',
    ]);
    expect(preview.callsChanged).toBe(1);
    expect(preview.fixesMisses).toEqual([group.key]);
    // Only the signature changes, in the file's own layout.
    const before = JSON.parse(preview.before) as Record<string, unknown>;
    const after = JSON.parse(preview.after) as Record<string, unknown>;
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect({ ...after, signature: null }).toEqual({ ...before, signature: null });
    expect(preview.after).toBe(JSON.stringify(after, null, 2) + '\n');

    const reloaded = mock.reloaded();
    const saved = await saveFileIn(dir, preview.path, preview.after, preview.baseHash);
    expect(saved.ok).toBe(true);
    await reloaded;
    expect(await ask(openaiClient(mock.url), changed)).toBe('Revenue grew.');
  });

  it('rule: one rule over two calls fixes both misses, creating tapedeck.json', async () => {
    const { mock, dir } = await running();
    // The removal reloads the mock too: waited for, so the save's reload is the one awaited below.
    const removed = mock.reloaded();
    await unlink(path.join(dir, 'tapedeck.json'));
    await removed;
    const first = await missed(
      mock,
      dir,
      datedChat('gpt-4o-mini', '2026-06-06', 'Capital of Spain?'),
    );
    const second = await missed(
      mock,
      dir,
      datedChat('gpt-4o-mini', '2026-06-06', 'Summarize the report for Q3'),
    );
    const other = await missed(mock, dir, datedChat('gpt-4o', '2026-06-06', 'Capital of Italy?'));
    const groups = [first, second, other];

    const preview = await previewFixIn(
      dir,
      { kind: 'rule', key: second.key, byModel: true },
      groups,
    );
    expect(preview.path).toBe('tapedeck.json');
    expect(preview.before).toBe('');
    expect(JSON.parse(preview.after)).toEqual({
      format: 'tapedeck/2',
      rules: [
        {
          upstream: 'openai',
          path: '/v1/chat/completions',
          model: 'gpt-4o-mini',
          ignore: ['$.messages[0].content'],
        },
      ],
    });
    // The two gpt-4o-mini calls; the gpt-4o one is out of the rule's scope.
    expect(preview.callsChanged).toBe(2);
    expect(preview.fixesMisses).toEqual([second.key, first.key]);

    const reloaded = mock.reloaded();
    expect((await saveFileIn(dir, preview.path, preview.after, preview.baseHash)).ok).toBe(true);
    await reloaded;
    const client = openaiClient(mock.url);
    expect(await ask(client, datedChat('gpt-4o-mini', '2026-06-06', 'Capital of Spain?'))).toBe(
      'Madrid',
    );
    expect(
      await ask(client, datedChat('gpt-4o-mini', '2026-06-06', 'Summarize the report for Q3')),
    ).toBe('Revenue grew.');
    expect(await ask(client, datedChat('gpt-4o', '2026-06-06', 'Capital of Italy?'))).toBe(404);

    // Unscoped, a rule reaches the third call too; the other two ignore that path already, so
    // their matching does not change and they are not counted.
    const wide = await previewFixIn(dir, { kind: 'rule', key: other.key, byModel: false }, groups);
    expect(wide.callsChanged).toBe(1);
    expect(JSON.parse(wide.after).rules).toHaveLength(2);
    expect(wide.fixesMisses[0]).toBe(other.key);
  });

  it('a save over a file changed since the preview is a conflict, and nothing is written', async () => {
    const { mock, dir } = await running();
    const group = await missed(
      mock,
      dir,
      datedChat('gpt-4o-mini', '2026-01-01', 'Summarize the report for 2024'),
    );
    const preview = await previewFixIn(dir, { kind: 'widen', key: group.key }, [group]);
    const file = path.join(dir, preview.path);
    const meanwhile = preview.before.replace('Revenue grew.', 'Revenue fell.');
    await writeFile(file, meanwhile);
    const saved = await saveFileIn(dir, preview.path, preview.after, preview.baseHash);
    expect(saved.ok).toBe(false);
    if (saved.ok) return;
    expect(saved.reason).toBe('conflict');
    expect(await readFile(file, 'utf8')).toBe(meanwhile);
  });

  it('an unknown miss key is not_found', async () => {
    const { dir } = await running();
    const err = await previewFixIn(dir, { kind: 'widen', key: 'nope' }, []).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostError);
    expect((err as HostError).code).toBe('not_found');
  });
});
