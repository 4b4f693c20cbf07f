/**
 * How the built CLI starts and ends (issue #8): each command exits 2 with its one line when its port
 * is taken, leaving nothing behind; `mock -- CMD` gives CMD placeholder API keys so the official
 * SDKs start without real ones; `--strict` prints what failed, not a pointer to a server that is gone.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PLACEHOLDER_KEY } from '../proxy/child-env.js';
import { assertBuilt, runCli } from './support/cli.js';
import { startFakeUpstream } from './support/fake-upstream.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(() => assertBuilt());

async function tmp(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-exit-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A port held by another process's listener for the length of the test. */
async function busyPort(): Promise<number> {
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => holder.close(() => r())));
  return (holder.address() as net.AddressInfo).port;
}

/** The environment with no provider credential in it. */
function envWithoutKeys(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/_API_KEY$|_AUTH_TOKEN$/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** A child that asks the real openai SDK (configured from the environment only) for a completion. */
function openaiChild(prompt: string, tolerant = false): string[] {
  const script = `
    import OpenAI from 'openai';
    const e = process.env;
    const seen = (n) => e[n] ?? null;
    console.log('KEYS ' + JSON.stringify({
      OPENAI_API_KEY: seen('OPENAI_API_KEY'), ANTHROPIC_API_KEY: seen('ANTHROPIC_API_KEY'),
      GEMINI_API_KEY: seen('GEMINI_API_KEY'), GOOGLE_API_KEY: seen('GOOGLE_API_KEY'),
      XAI_API_KEY: seen('XAI_API_KEY'), OPENROUTER_API_KEY: seen('OPENROUTER_API_KEY'),
    }));
    const client = new OpenAI({ maxRetries: 0 });
    try {
      const r = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: ${JSON.stringify(prompt)} }],
      });
      console.log('REPLY ' + r.choices[0].message.content);
    } catch (err) {
      console.log('FAILED ' + (err.status ?? err.message));
      if (!${tolerant}) throw err;
    }`;
  return ['--', process.execPath, '--input-type=module', '-e', script];
}

function keysOf(stdout: string): Record<string, string | null> {
  const line = stdout.split('\n').find((l) => l.startsWith('KEYS '));
  if (!line) throw new Error(`no KEYS line in:\n${stdout}`);
  return JSON.parse(line.slice('KEYS '.length)) as Record<string, string | null>;
}

/** Records one OpenAI chat call through `record -- CMD`, with a key of its own. */
async function recordOne(prompt: string): Promise<string> {
  const upstream = await startFakeUpstream({ eventDelayMs: 0 });
  cleanups.push(() => upstream.close());
  const dir = path.join(await tmp(), 'snap');
  const r = await runCli(
    ['record', dir, '--port', '0', '--upstream', `openai=${upstream.url}`, ...openaiChild(prompt)],
    { env: envWithoutKeys({ OPENAI_API_KEY: 'sk-record-key' }), timeoutMs: 30_000 },
  );
  expect(r.code, r.stderr).toBe(0);
  // `record -- CMD` leaves credentials as they are: no placeholders.
  expect(keysOf(r.stdout)).toEqual({
    OPENAI_API_KEY: 'sk-record-key',
    ANTHROPIC_API_KEY: null,
    GEMINI_API_KEY: null,
    GOOGLE_API_KEY: null,
    XAI_API_KEY: null,
    OPENROUTER_API_KEY: null,
  });
  expect(r.stderr).not.toContain('placeholder');
  return dir;
}

describe('a busy port', () => {
  const oneLine = (port: number) => `tapedeck: port ${port} on 127.0.0.1 is already in use\n`;

  it('record exits 2 with one line and creates no folder', async () => {
    const port = await busyPort();
    const dir = path.join(await tmp(), 'not-yet');
    const r = await runCli(['record', dir, '--port', String(port)], { timeoutMs: 10_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(oneLine(port));
    expect(r.stdout).toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  it('mock exits 2 with one line, also with -- CMD (which does not run)', async () => {
    const port = await busyPort();
    const dir = await tmp();
    await mkdir(path.join(dir, 'calls'));
    const marker = path.join(dir, 'cmd-ran');
    for (const command of [
      [],
      ['--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`],
    ]) {
      const r = await runCli(['mock', dir, '--port', String(port), ...command], {
        timeoutMs: 10_000,
      });
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(oneLine(port));
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('ui exits 2 with one line', async () => {
    const port = await busyPort();
    const dir = await tmp();
    const r = await runCli(['ui', dir, '--port', String(port), '--no-open'], {
      timeoutMs: 10_000,
    });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(oneLine(port));
  });

  it('a bad flag or a folder that cannot be created exits 2 with one line', async () => {
    const dir = await tmp();
    const bad = await runCli(['mock', dir, '--max-body', 'lots'], { timeoutMs: 10_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'tapedeck: --max-body wants a size such as 32m, 512k or 1048576, got "lots"\n',
    );
    const unknown = await runCli(['record', dir, '--bogus'], { timeoutMs: 10_000 });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "tapedeck: unknown option '--bogus' (run tapedeck --help for usage)\n",
    );
    const under = path.join(dir, 'calls-is-a-file');
    await mkdir(under);
    await writeFile(path.join(under, 'calls'), 'x');
    const blocked = await runCli(['record', under, '--port', '0'], { timeoutMs: 10_000 });
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/^tapedeck: cannot record into .*calls-is-a-file: .*\n$/);
  });
});

describe('placeholder API keys for mock -- CMD', () => {
  it('lets the openai SDK run with no key in the environment, and says so', async () => {
    const dir = await recordOne('hello from CI');
    // Only PATH and the like: no provider key at all, as on a CI runner without secrets.
    const r = await runCli(
      [
        'mock',
        dir,
        '--port',
        '0',
        '--timing',
        'instant',
        '--strict',
        ...openaiChild('hello from CI'),
      ],
      { env: envWithoutKeys(), timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^REPLY \S/m);
    expect(keysOf(r.stdout)).toEqual({
      OPENAI_API_KEY: PLACEHOLDER_KEY,
      ANTHROPIC_API_KEY: PLACEHOLDER_KEY,
      GEMINI_API_KEY: PLACEHOLDER_KEY,
      GOOGLE_API_KEY: PLACEHOLDER_KEY,
      XAI_API_KEY: PLACEHOLDER_KEY,
      OPENROUTER_API_KEY: PLACEHOLDER_KEY,
    });
    const said = r.stderr.split('\n').filter((l) => l.includes('placeholder'));
    expect(said).toEqual([
      'tapedeck: placeholder API keys for the command (none was set): OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, GOOGLE_API_KEY, XAI_API_KEY, OPENROUTER_API_KEY, CO_API_KEY',
    ]);
  });

  it('never replaces a credential that is set, nor shadows one of the same provider', async () => {
    const dir = await recordOne('keep my keys');
    const r = await runCli(
      ['mock', dir, '--port', '0', '--timing', 'instant', ...openaiChild('keep my keys')],
      {
        env: envWithoutKeys({
          OPENAI_API_KEY: 'sk-mine',
          GEMINI_API_KEY: 'gemini-mine',
          ANTHROPIC_AUTH_TOKEN: 'token-mine',
        }),
        timeoutMs: 30_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(keysOf(r.stdout)).toEqual({
      OPENAI_API_KEY: 'sk-mine',
      ANTHROPIC_API_KEY: null,
      GEMINI_API_KEY: 'gemini-mine',
      GOOGLE_API_KEY: null,
      XAI_API_KEY: PLACEHOLDER_KEY,
      OPENROUTER_API_KEY: PLACEHOLDER_KEY,
    });
    expect(r.stderr).toContain(
      'placeholder API keys for the command (none was set): XAI_API_KEY, OPENROUTER_API_KEY, CO_API_KEY\n',
    );
  });
});

describe('what --strict prints', () => {
  it('mock --strict prints each miss with its closest call and diff after the server is gone', async () => {
    const dir = await recordOne('the recorded prompt');
    const r = await runCli(
      [
        'mock',
        dir,
        '--port',
        '0',
        '--timing',
        'instant',
        '--strict',
        ...openaiChild('another prompt'),
      ],
      { env: envWithoutKeys(), timeoutMs: 30_000 },
    );
    expect(r.code).toBe(1);
    const [file] = await readdir(path.join(dir, 'calls'));
    const report = r.stderr.slice(r.stderr.indexOf('tapedeck: --strict:'));
    expect(report).toMatch(
      new RegExp(
        `^tapedeck: --strict: 1 unmatched request\\(s\\), 0 invalid snapshot file\\(s\\)\\n` +
          `unmatched:\\n` +
          `  POST /v1/chat/completions on openai: closest c_\\w+ \\(calls/${file}\\)\\n` +
          `      .*the recorded prompt.*\\n`,
      ),
    );
    expect(report).not.toContain('/__tapedeck/misses');
  });

  it('record --strict exits 1 and lists a request it refused', async () => {
    const upstream = await startFakeUpstream({ eventDelayMs: 0 });
    cleanups.push(() => upstream.close());
    const dir = await tmp();
    const r = await runCli(
      [
        'record',
        dir,
        '--port',
        '0',
        '--strict',
        '--max-body',
        '1k',
        '--upstream',
        `openai=${upstream.url}`,
        // A command that shrugs the error off: only --strict can fail the run.
        ...openaiChild('x'.repeat(4096), true),
      ],
      { env: envWithoutKeys({ OPENAI_API_KEY: 'sk-record-key' }), timeoutMs: 30_000 },
    );
    expect(r.stdout).toContain('FAILED 413');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'tapedeck: --strict: 1 request(s) not recorded:\n  POST /v1/chat/completions on openai → 413: body over --max-body (1024 bytes)\n',
    );
    expect(upstream.requests).toHaveLength(0);
  });
});
