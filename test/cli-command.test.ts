/** `record DIR -- CMD` and `mock DIR -- CMD`: the README's CI path, through the built CLI. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../shared/schema.js';
import { assertBuilt, runCli } from './support/cli.js';
import { startFakeUpstream } from './support/fake-upstream.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tmp(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-cmd-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A child that calls the OpenAI chat endpoint at OPENAI_BASE_URL with the given prompt. */
function chatChild(prompt: string, exitCode = 0): string[] {
  const script = `
    const base = process.env.OPENAI_BASE_URL;
    const r = await fetch(base + '/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-child-SECRET' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: ${JSON.stringify(prompt)} }] }),
    });
    console.log('child status', r.status, base, process.env.ANTHROPIC_BASE_URL, process.env.GOOGLE_GEMINI_BASE_URL);
    process.exit(${exitCode});`;
  return ['--', process.execPath, '--input-type=module', '-e', script];
}

describe('running a command under tapedeck', () => {
  it("record -- CMD points the SDK variables at the recorder, records the call, exits with CMD's code", async () => {
    assertBuilt();
    const upstream = await startFakeUpstream();
    cleanups.push(() => upstream.close());
    const dir = await tmp();
    const r = await runCli([
      'record',
      dir,
      '--port',
      '0',
      '--upstream',
      `openai=${upstream.url}`,
      ...chatChild('hello', 0),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const url = /^listening on (\S+)/.exec(r.stdout)?.[1];
    expect(url).toBeDefined();
    expect(r.stdout).toContain(`child status 200 ${url}/openai/v1 ${url}/anthropic ${url}/gemini`);
    const files = (await readdir(path.join(dir, 'calls'))).filter((n) => n.endsWith('.json'));
    expect(files).toHaveLength(1);
    const text = await readFile(path.join(dir, 'calls', files[0] as string), 'utf8');
    expect(text).not.toContain('sk-child-SECRET');
    expect((JSON.parse(text) as Call).outcome).toBe('complete');

    // Replayed under `mock -- CMD`: the same request matches; CMD's exit code is the process's.
    const replay = await runCli([
      'mock',
      dir,
      '--port',
      '0',
      '--timing',
      'instant',
      '--strict',
      ...chatChild('hello', 3),
    ]);
    expect(replay.stdout).toContain('child status 200');
    expect(replay.code).toBe(3);
  });

  it('mock --strict -- CMD exits 1 when CMD passed but a request went unmatched', async () => {
    assertBuilt();
    const dir = await tmp();
    const r = await runCli([
      'mock',
      dir,
      '--port',
      '0',
      '--strict',
      ...chatChild('never recorded', 0),
    ]);
    expect(r.stdout).toContain('child status 404');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--strict: 1 unmatched request/);
  });
});
