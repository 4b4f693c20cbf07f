/**
 * R10: 100 hostile files mixed with 100 valid calls. `inspect`, `mock` and the desktop host behind
 * `tapedeck ui` each report every hostile file by name with a reason, load every valid call, and
 * keep answering; a running mock handed a file nested 20,000 levels deep keeps applying later
 * edits. Everything runs through the built CLI over real sockets, each step under a hang guard.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serializeCall } from '../proxy/store/snapshot-store.js';
import type { ChangeEvent } from '../shared/desktop-api.js';
import { assertBuilt, repoRoot } from './support/cli.js';
import { hostFixture, nextEvent } from './support/host-fixture.js';
import {
  callOf,
  hostileCorpus,
  nestedText,
  type HostileCorpus,
  type HostileFile,
} from './support/hostile-corpus.js';

/** Generous: only there to turn a hang into a failure. */
const HANG_GUARD_MS = 20_000;
const bin = path.join(repoRoot, 'bin', 'tapedeck.js');

let corpus: HostileCorpus;
const children: ChildProcessWithoutNullStreams[] = [];
const temps: string[] = [];

beforeAll(async () => {
  assertBuilt();
  corpus = await hostileCorpus();
  temps.push(corpus.dir);
}, 60_000);

afterEach(() => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

afterAll(async () => {
  for (const t of temps.splice(0)) await rm(t, { recursive: true, force: true });
});

function guard<T>(what: string, p: Promise<T>, ms = HANG_GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: 'pipe', env });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    void closed.then((code) => reject(new Error(`exited with ${code}; stderr:\n${stderr}`)));
  });
  // Awaited by the tests that need it; a command that just runs to its end must not count as unhandled.
  firstLine.catch(() => undefined);
  return { child, closed, firstLine, stdout: () => stdout, stderr: () => stderr };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function send(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

interface LoadError {
  file: string;
  line?: number;
  reason: string;
}

/** One error row per hostile file, with the reason it must give, and no other rows. */
function expectEachReported(errors: LoadError[], hostile: readonly HostileFile[]): void {
  const byFile = new Map<string, LoadError[]>();
  for (const e of errors) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const h of hostile) {
    const rows = byFile.get(h.file) ?? [];
    expect(rows, `${h.file} reported once`).toHaveLength(1);
    expect(rows[0]?.reason, h.file).toMatch(h.reason);
  }
  expect(errors.map((e) => e.file).sort()).toEqual(hostile.map((h) => h.file).sort());
}

/** Device symlinks are outside the folder for the desktop host; the CLI names what they are. */
function devices(hostile: readonly HostileFile[]): HostileFile[] {
  return hostile.filter((h) => /-dev-/.test(h.file));
}

async function chat(base: string, body: string): Promise<Reply> {
  return send(`${base}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

describe('100 hostile files beside 100 valid calls', () => {
  it('the corpus holds what the test claims', () => {
    expect(corpus.valid).toHaveLength(100);
    expect(corpus.hostile).toHaveLength(100);
    expect(new Set(corpus.hostile.map((h) => h.file)).size).toBe(100);
  });

  it('inspect --json lists all 100 valid calls and reports each bad file by name with a reason', async () => {
    const run = spawnCli(['inspect', corpus.dir, '--json']);
    const code = await guard('tapedeck inspect', run.closed);
    expect(code, run.stderr()).toBe(0);
    const report = JSON.parse(run.stdout()) as {
      calls: Array<{ id: string; file: string }>;
      errors: LoadError[];
    };
    expect(report.calls.map((c) => c.id)).toEqual(corpus.valid.map((v) => v.id));
    expectEachReported(report.errors, corpus.hostile);
    for (const d of devices(corpus.hostile)) {
      expect(report.errors.find((e) => e.file === d.file)?.reason).toMatch(
        /character device, not a regular file/,
      );
    }
    for (const h of corpus.hostile) expect(run.stderr()).toContain(`skipped ${h.file}`);
  }, 60_000);

  it('mock starts, serves every valid call and reports each bad file', async () => {
    const run = spawnCli(['mock', corpus.dir, '--port', '0', '--timing', 'instant']);
    const first = await guard('tapedeck mock start-up', run.firstLine);
    const url = /^listening on (http:\/\/\S+)$/.exec(first)?.[1];
    expect(url, first).toBeDefined();
    const stats = await guard('GET /__tapedeck/stats', send(`${url}/__tapedeck/stats`));
    const body = JSON.parse(stats.text) as { calls: number; errors: LoadError[] };
    expect(body.calls).toBe(100);
    expectEachReported(body.errors, corpus.hostile);
    for (const v of corpus.valid) {
      const r = await guard(`replay of ${v.id}`, chat(url!, v.body));
      expect(r.status, v.id).toBe(200);
      expect(r.headers['x-tapedeck-call']).toBe(v.id);
      expect(r.text).toContain(v.answer);
    }
    for (const h of corpus.hostile) expect(run.stderr()).toContain(`skipped ${h.file}`);
    run.child.kill('SIGINT');
    expect(await guard('tapedeck mock shutdown', run.closed)).toBe(0);
  }, 90_000);

  it('tapedeck ui: openFolder answers with every valid call and one error row per bad file; the server keeps answering', async () => {
    const config = await realpath(await mkdtemp(path.join(tmpdir(), 'tapedeck-hostile-config-')));
    temps.push(config);
    const run = spawnCli(['ui', '--no-open', '--port', '0', corpus.dir], {
      ...process.env,
      TAPEDECK_CONFIG_DIR: config,
    });
    const first = await guard('tapedeck ui start-up', run.firstLine);
    const start = /^listening on (http:\/\/\S+)$/.exec(first)?.[1];
    expect(start, first).toBeDefined();
    const session = await send(start!);
    const cookie = (session.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    const origin = new URL(start!).origin;
    const api = async (method: string, args: unknown[]) => {
      const r = await guard(
        `POST /api/${method}`,
        send(`${origin}/api/${method}`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify(args),
        }),
      );
      expect(r.status, r.text).toBe(200);
      return (JSON.parse(r.text) as { result: unknown }).result;
    };

    const info = (await api('openFolder', [corpus.dir])) as {
      calls: Array<{ id: string }>;
      errors: LoadError[];
      scenarios: string[];
    };
    expect(info.calls.map((c) => c.id)).toEqual(corpus.valid.map((v) => v.id));
    expectEachReported(info.errors, corpus.hostile);
    expect(info.scenarios).toEqual(['fine']);
    expect(await api('appInfo', [])).toMatchObject({ mode: 'browser' });
    // A valid call still opens in the editor.
    const content = (await api('readFile', [corpus.valid[0]!.file])) as { text: string };
    expect(content.text).toContain(corpus.valid[0]!.id);

    // The same schema refuses a bad $regex and a too-deep signature on save, with the reason.
    const good = callOf('c_saved', 500, { model: 'gpt-4o-mini' }, 'saved');
    const badRegex = serializeCall({
      ...good,
      signature: { ...good.signature, body: { model: { $regex: '(unclosed' } } },
    });
    const refused = (await api('saveFile', ['calls/000500-new.json', badRegex, null])) as {
      ok: boolean;
      reason: string;
      errors: LoadError[];
    };
    expect(refused).toMatchObject({ ok: false, reason: 'invalid' });
    expect(refused.errors[0]?.reason).toMatch(
      /^signature\.body\.model: invalid \$regex "\(unclosed"/,
    );
    const deep = serializeCall(good).replace(
      '"body": {\n      "model": "gpt-4o-mini"\n    }\n  }\n}',
      `"body": ${nestedText(20_000)}\n  }\n}`,
    );
    expect(deep).toContain('[[[[');
    const refusedDeep = (await api('saveFile', ['calls/000500-new.json', deep, null])) as {
      ok: boolean;
      errors: LoadError[];
    };
    expect(refusedDeep.ok).toBe(false);
    expect(refusedDeep.errors[0]?.reason).toMatch(/^signature\.body: nested deeper than 256/);
    expect(existsSync(path.join(corpus.dir, 'calls', '000500-new.json'))).toBe(false);
    expect(await api('appInfo', [])).toMatchObject({ mode: 'browser' });

    run.child.kill('SIGINT');
    expect(await guard('tapedeck ui shutdown', run.closed)).toBe(0);
  }, 90_000);
});

describe('a running mock handed a hostile file', () => {
  it('reports a 20,000-level file and keeps applying every later edit', async () => {
    const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'tapedeck-hostile-live-')));
    temps.push(dir);
    await mkdir(path.join(dir, 'calls'));
    const body = (i: number) => ({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `p${i}` }],
    });
    const write = (name: string, id: string, seq: number, i: number, answer: string) =>
      writeFile(path.join(dir, 'calls', name), serializeCall(callOf(id, seq, body(i), answer)));
    await write('000001-a.json', 'c_a', 1, 1, 'first answer');

    const run = spawnCli(['mock', dir, '--port', '0', '--timing', 'instant']);
    const first = await guard('tapedeck mock start-up', run.firstLine);
    const url = /^listening on (http:\/\/\S+)$/.exec(first)?.[1] ?? '';
    expect(url, first).not.toBe('');
    expect((await chat(url, JSON.stringify(body(1)))).text).toContain('first answer');

    const deepCall = JSON.stringify(callOf('c_deep', 2, { model: 'gpt-4o-mini' }, 'deep')).replace(
      '"signature":{"upstream":"openai","method":"POST","path":"/v1/chat/completions","body":{"model":"gpt-4o-mini"}}',
      `"signature":{"upstream":"openai","method":"POST","path":"/v1/chat/completions","body":${nestedText(20_000)}}`,
    );
    expect(deepCall).toContain('[[[[');
    await writeFile(path.join(dir, 'calls', '000002-deep.json'), deepCall);

    /** Polls until `check` holds; the bound only catches a mock that stopped reloading. */
    const eventually = async (what: string, check: () => Promise<boolean>) => {
      const until = Date.now() + HANG_GUARD_MS;
      while (!(await check().catch(() => false))) {
        if (Date.now() > until)
          throw new Error(`${what}: not within ${HANG_GUARD_MS} ms; stderr:\n${run.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await eventually('the deep file reported', async () => {
      const stats = JSON.parse((await send(`${url}/__tapedeck/stats`)).text) as {
        errors: LoadError[];
      };
      return stats.errors.some(
        (e) => e.file === 'calls/000002-deep.json' && /nested deeper than/.test(e.reason),
      );
    });

    // Edits after it: a new call, then a changed answer. Both must be served.
    await write('000003-b.json', 'c_b', 3, 3, 'added later');
    await eventually('the added call served', async () =>
      (await chat(url, JSON.stringify(body(3)))).text.includes('added later'),
    );
    await write('000001-a.json', 'c_a', 1, 1, 'edited answer');
    await eventually('the edited call served', async () =>
      (await chat(url, JSON.stringify(body(1)))).text.includes('edited answer'),
    );
    expect(run.stderr()).not.toMatch(/reload failed|Maximum call stack/);
    run.child.kill('SIGINT');
    expect(await guard('tapedeck mock shutdown', run.closed)).toBe(0);
  }, 90_000);
});

describe('a manifest with a normalizer that cannot compile', () => {
  it('is one error row; mock still starts and serves the calls', async () => {
    const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'tapedeck-hostile-norm-')));
    temps.push(dir);
    await mkdir(path.join(dir, 'calls'));
    await writeFile(
      path.join(dir, 'tapedeck.json'),
      JSON.stringify({
        format: 'tapedeck/1',
        normalizers: [{ pattern: '(unclosed', replace: '' }],
      }),
    );
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
    await writeFile(
      path.join(dir, 'calls', '000001-a.json'),
      serializeCall(callOf('c_a', 1, body, 'still served')),
    );
    const run = spawnCli(['mock', dir, '--port', '0', '--timing', 'instant']);
    const first = await guard('tapedeck mock start-up', run.firstLine);
    const url = /^listening on (http:\/\/\S+)$/.exec(first)?.[1] ?? '';
    expect(url, first).not.toBe('');
    const stats = JSON.parse((await send(`${url}/__tapedeck/stats`)).text) as {
      errors: LoadError[];
    };
    expect(stats.errors).toEqual([
      expect.objectContaining({
        file: 'tapedeck.json',
        reason: expect.stringMatching(/^normalizers\[0\]\.pattern: invalid normalizer pattern/),
      }),
    ]);
    expect((await chat(url, JSON.stringify(body))).text).toContain('still served');
    run.child.kill('SIGINT');
    expect(await guard('tapedeck mock shutdown', run.closed)).toBe(0);
  }, 60_000);
});

describe('the desktop host watching an open folder', () => {
  it('reports a FIFO and a 20,000-level file dropped into it, and keeps reporting later edits', async () => {
    const fx = await hostFixture();
    try {
      await fx.host.openFolder(fx.snap);
      const on = (accept: (e: ChangeEvent) => boolean) =>
        nextEvent<ChangeEvent>((l) => fx.host.onChange(l), accept, HANG_GUARD_MS);

      const fifo = on((e) => e.path === 'calls/zz-fifo.json');
      execFileSync('mkfifo', [path.join(fx.snap, 'calls', 'zz-fifo.json')]);
      expect((await fifo).event).toMatchObject({
        kind: 'error',
        error: { file: 'calls/zz-fifo.json', reason: expect.stringMatching(/not a regular file/) },
      });

      const deep = on((e) => e.path === 'calls/zz-deep.json');
      await writeFile(
        path.join(fx.snap, 'calls', 'zz-deep.json'),
        JSON.stringify(callOf('c_deep', 900, { model: 'gpt-4o-mini' }, 'deep')).replace(
          '"body":{"model":"gpt-4o-mini"}',
          `"body":${nestedText(20_000)}`,
        ),
      );
      expect((await deep).event).toMatchObject({
        kind: 'error',
        error: { reason: expect.stringMatching(/^request\.body: nested deeper than 256/) },
      });

      const later = on((e) => e.path === 'calls/zz-later.json');
      await writeFile(
        path.join(fx.snap, 'calls', 'zz-later.json'),
        serializeCall(callOf('c_later', 901, { model: 'gpt-4o-mini' }, 'later')),
      );
      expect((await later).event).toMatchObject({ kind: 'call', call: { id: 'c_later' } });
    } finally {
      await fx.cleanup();
    }
  }, 90_000);
});
