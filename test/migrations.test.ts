/**
 * A tapedeck/1 folder (files as Tapedeck 1 wrote them) opens in `mock` and `inspect` without a
 * byte changing on disk; `tapedeck migrate` upgrades it to the current format, atomically and
 * once; a file of a newer format is skipped with a message everywhere.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer } from '../proxy/mock-server.js';
import { MIGRATIONS, lastMigration, migrate } from '../shared/migrations.js';
import { FORMAT, FORMAT_VERSION } from '../shared/schema.js';
import { assertBuilt, runCli } from './support/cli.js';

/** A call file exactly as tapedeck/1 wrote it: no `route`. */
function v1Call(seq: number, upstream: string, url: string, sigPath: string, answer: string) {
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${seq}` }] };
  return {
    format: 'tapedeck/1',
    id: `c_v1_${seq}`,
    seq,
    recordedAt: '2026-11-30T10:00:00.000Z',
    upstream,
    provider: upstream,
    api: 'chat.completions',
    model: 'gpt-4o-mini',
    outcome: 'complete',
    request: { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        id: `chatcmpl-${seq}`,
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: answer } }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      },
    },
    timing: { ttfbMs: 10, totalMs: 12 },
    usage: {
      inputTokens: 5,
      outputTokens: 2,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      source: 'provider',
    },
    costUsd: 0.0000019,
    costSource: 'price-table',
    signature: { upstream, method: 'POST', path: sigPath, body },
  };
}

const files: Record<string, string> = {
  'tapedeck.json':
    JSON.stringify(
      { format: 'tapedeck/1', createdAt: '2026-11-30T09:00:00.000Z', notes: 'v1' },
      null,
      2,
    ) + '\n',
  'calls/000001-openai-chat-gpt-4o-mini.json':
    JSON.stringify(
      v1Call(
        1,
        'openai',
        'https://api.openai.com/v1/chat/completions',
        '/v1/chat/completions',
        'A',
      ),
      null,
      2,
    ) + '\n',
  // An edited signature path (a glob) and a base URL with a prefix: the route comes from the URL.
  'calls/000002-openrouter-chat-gpt-4o-mini.json':
    JSON.stringify(
      v1Call(2, 'openrouter', 'https://openrouter.ai/api/v1/chat/completions', '/v1/*', 'B'),
      null,
      2,
    ) + '\n',
  'calls/000003-openai-future.json':
    JSON.stringify({
      ...v1Call(3, 'openai', 'https://x/v1/chat/completions', '/x', 'C'),
      format: 'tapedeck/3',
    }) + '\n',
};

let dir: string;

async function onDisk(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of [
    'tapedeck.json',
    ...(await readdir(path.join(dir, 'calls'))).map((n) => `calls/${n}`),
  ])
    out[rel] = createHash('sha256')
      .update(await readFile(path.join(dir, rel)))
      .digest('hex');
  return out;
}

beforeAll(() => assertBuilt());

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-v1-'));
  await mkdir(path.join(dir, 'calls'));
  for (const [rel, text] of Object.entries(files)) await writeFile(path.join(dir, rel), text);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('numbered migrations', () => {
  it('end at the format this Tapedeck writes, one per version', () => {
    expect(lastMigration).toBe(FORMAT_VERSION);
    expect(FORMAT).toBe(`tapedeck/${lastMigration}`);
    expect(MIGRATIONS.map((m) => m.id)).toEqual(
      Array.from({ length: MIGRATIONS.length }, (_, i) => i + 2),
    );
  });

  it('upgrade a copy and leave the file they were given alone', () => {
    const v1 = JSON.parse(files['calls/000001-openai-chat-gpt-4o-mini.json']!) as object;
    const before = JSON.stringify(v1);
    const { doc, from, applied } = migrate(v1, 'call');
    expect(JSON.stringify(v1)).toBe(before);
    expect(from).toBe(1);
    expect(applied.map((m) => m.id)).toEqual([2]);
    expect(doc).toMatchObject({
      format: 'tapedeck/2',
      route: { family: 'openai-chat', api: 'chat.completions', path: '/v1/chat/completions' },
    });
    // `route` sits after `model`, where the recorder writes it.
    const keys = Object.keys(doc as object);
    expect(keys.indexOf('route')).toBe(keys.indexOf('model') + 1);
    expect(migrate(doc, 'call').applied).toEqual([]);
  });
});

describe('a tapedeck/1 folder', () => {
  it('is served by the mock as it is, and nothing on disk changes', async () => {
    const before = await onDisk();
    const mock = await startMockServer({
      dir,
      port: 0,
      timing: { mode: 'instant' },
      log: () => undefined,
    });
    try {
      expect(mock.calls).toBe(2);
      expect(mock.loadErrors).toEqual([
        {
          file: 'calls/000003-openai-future.json',
          reason: expect.stringMatching(/written in format tapedeck\/3 by a newer Tapedeck/),
        },
      ]);
      const res = await request(`${mock.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'question 1' }],
        }),
      });
      expect(res.statusCode).toBe(200);
      expect(
        ((await res.body.json()) as { choices: { message: { content: string } }[] }).choices[0]!
          .message.content,
      ).toBe('A');
    } finally {
      await mock.close();
    }
    expect(await onDisk()).toEqual(before);
  });

  it('is listed by inspect as it is, and nothing on disk changes', async () => {
    const before = await onDisk();
    const r = await runCli(['inspect', dir, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      calls: { id: string }[];
      errors: { reason: string }[];
    };
    expect(report.calls.map((c) => c.id)).toEqual(['c_v1_1', 'c_v1_2']);
    expect(report.errors[0]?.reason).toMatch(/newer Tapedeck/);
    expect(r.stderr).toMatch(
      /skipped calls\/000003-openai-future\.json: written in format tapedeck\/3/,
    );
    expect(await onDisk()).toEqual(before);
  });

  it('is left alone by migrate --dry-run, which says what it would do', async () => {
    const before = await onDisk();
    const r = await runCli(['migrate', dir, '--dry-run']);
    expect(r.stdout).toContain(
      'would migrate calls/000001-openai-chat-gpt-4o-mini.json: tapedeck/1 → tapedeck/2',
    );
    expect(r.stdout).toContain('would migrate tapedeck.json: tapedeck/1 → tapedeck/2');
    expect(r.stdout).toMatch(
      /3 files to migrate to tapedeck\/2, 0 already current, 1 skipped \(dry run/,
    );
    expect(r.stderr).toMatch(
      /skipped calls\/000003-openai-future\.json: written in format tapedeck\/3/,
    );
    // A file that could not be migrated is a failed check.
    expect(r.code).toBe(1);
    expect(await onDisk()).toEqual(before);
  });

  it('is upgraded by migrate, once: every v1 file becomes v2 with its route', async () => {
    const before = await onDisk();
    const r = await runCli(['migrate', dir, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      migrated: { file: string; from: string; to: string }[];
      current: number;
      skipped: { file: string }[];
    };
    expect(report.migrated.map((m) => m.file).sort()).toEqual([
      'calls/000001-openai-chat-gpt-4o-mini.json',
      'calls/000002-openrouter-chat-gpt-4o-mini.json',
      'tapedeck.json',
    ]);
    expect(report.skipped.map((s) => s.file)).toEqual(['calls/000003-openai-future.json']);

    const read = async (rel: string) =>
      JSON.parse(await readFile(path.join(dir, rel), 'utf8')) as Record<string, unknown>;
    expect(await read('tapedeck.json')).toEqual({
      ...JSON.parse(files['tapedeck.json']!),
      format: 'tapedeck/2',
    });
    const first = await read('calls/000001-openai-chat-gpt-4o-mini.json');
    expect(first).toEqual({
      ...JSON.parse(files['calls/000001-openai-chat-gpt-4o-mini.json']!),
      format: 'tapedeck/2',
      route: { family: 'openai-chat', api: 'chat.completions', path: '/v1/chat/completions' },
    });
    expect((await read('calls/000002-openrouter-chat-gpt-4o-mini.json'))['route']).toEqual({
      family: 'openai-chat',
      api: 'chat.completions',
      path: '/v1/chat/completions',
    });
    const after = await onDisk();
    expect(after['calls/000003-openai-future.json']).toBe(
      before['calls/000003-openai-future.json'],
    );
    // Replaced whole, by rename: no temp or set-aside file is left beside them.
    expect((await readdir(path.join(dir, 'calls'))).sort()).toEqual(
      Object.keys(files)
        .filter((f) => f.startsWith('calls/'))
        .map((f) => f.slice(6))
        .sort(),
    );

    const again = await runCli(['migrate', dir]);
    expect(again.stdout).toMatch(/0 files migrated to tapedeck\/2, 3 already current, 1 skipped/);
    expect(await onDisk()).toEqual(after);

    // The upgraded folder serves as before.
    const inspect = await runCli(['inspect', dir, '--json']);
    expect((JSON.parse(inspect.stdout) as { calls: unknown[] }).calls).toHaveLength(2);
  });

  it('does not rewrite a file whose hand-written integer beyond 2^53 a rewrite would round', async () => {
    const rel = 'calls/000004-openai-big.json';
    const text = JSON.stringify(
      v1Call(4, 'openai', 'https://api.openai.com/v1/chat/completions', '/v1/x', 'D'),
      null,
      2,
    ).replace('"total_tokens": 7', '"total_tokens": 12345678901234567890');
    await writeFile(path.join(dir, rel), text);
    const r = await runCli(['migrate', dir, '--json']);
    const report = JSON.parse(r.stdout) as { skipped: { file: string; reason: string }[] };
    expect(report.skipped.find((s) => s.file === rel)?.reason).toMatch(/beyond 2\^53/);
    expect(await readFile(path.join(dir, rel), 'utf8')).toBe(text);
  });

  it('answers a missing folder with a usage error', async () => {
    const r = await runCli(['migrate', path.join(dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/snapshot folder not found/);
  });
});
