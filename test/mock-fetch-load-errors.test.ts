/**
 * A snapshot `createMockFetch` cannot load, whole or in part: `ready` rejects with why, and every
 * request gets a 500 that says so (as the socket mock answers its own failures), not a connection
 * error that hides it; a bad call file is skipped, named in `loadErrors` and the log.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockFetch } from '../testing/index.js';
import { chatSnapshot } from './support/chat-snapshot.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const question = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi?' }] };

describe('a snapshot the mock fetch cannot load', () => {
  it('a missing folder: ready rejects, and the SDK error names the folder', async () => {
    const missing = path.join(import.meta.dirname, 'no-such-snapshot');
    const fetch = createMockFetch({ snapshot: missing, log: false });
    await expect(fetch.ready).rejects.toThrow(/not found/);

    const client = new OpenAI({ apiKey: 'test', fetch, maxRetries: 0 });
    const error = await client.chat.completions.create(question).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toContain('Tapedeck mock error');
    expect((error as Error).message).toContain(missing);
    expect(fetch.calls[0]).toMatchObject({ status: 500, call: 'miss' });
  });

  it('an invalid call file: skipped, in loadErrors and the log; the others answer', async () => {
    const { dir } = await chatSnapshot([{ ...question, reply: 'Hello' }]);
    dirs.push(dir);
    await writeFile(path.join(dir, 'calls', '000009-broken.json'), '{ "id": ');
    const lines: string[] = [];
    const fetch = createMockFetch({ snapshot: dir, log: (l) => lines.push(l) });
    await fetch.ready;
    expect(fetch.loadErrors.map((e) => e.file)).toEqual([
      expect.stringContaining('000009-broken.json'),
    ]);
    expect(lines.join('\n')).toContain('000009-broken.json');

    const client = new OpenAI({ apiKey: 'test', fetch, maxRetries: 0 });
    const r = await client.chat.completions.create(question);
    expect(r.choices[0]?.message.content).toBe('Hello');
  });
});
