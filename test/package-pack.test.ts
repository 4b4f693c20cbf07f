/**
 * The package as npm users get it: `npm pack`, installed with `openai` into an empty project.
 * There `tapedeck/testing` must import and answer the SDK (createMockFetch, mockClient, and
 * startMock over the packed sample snapshot) without any of the desktop app's dependencies
 * installed, and `npx tapedeck --help` must run the CLI.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, repoRoot } from './support/cli.js';
import { assertTestingBuilt, childEnv, run } from './support/example-run.js';

const repoPackage = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
// Everything only the repository needs: the desktop app (react, monaco-editor, electron,
// @tanstack/*, zustand, vite…), the other SDKs, the test tools. `openai` the project installs itself.
const DEV_ONLY = Object.keys(repoPackage.devDependencies).filter((name) => name !== 'openai');

// What npm sets for the outer `npm test` script would point a nested npm at this repository.
function npmEnv(): NodeJS.ProcessEnv {
  const env = childEnv();
  for (const k of Object.keys(env))
    if (/^npm_(package_|lifecycle_|config_local_prefix)|^INIT_CWD$/i.test(k)) delete env[k];
  return env;
}

/** Names of every package installed under `dir/node_modules`, nested ones included. */
function installedPackages(dir: string): string[] {
  const names: string[] = [];
  const walk = (modules: string) => {
    let entries;
    try {
      entries = readdirSync(modules, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const folders = e.name.startsWith('@')
        ? readdirSync(path.join(modules, e.name)).map((n) => path.join(e.name, n))
        : [e.name];
      for (const f of folders) {
        names.push(f.split(path.sep).join('/'));
        walk(path.join(modules, f, 'node_modules'));
      }
    }
  };
  walk(path.join(dir, 'node_modules'));
  return [...new Set(names)].sort();
}

const CHECK = `
import OpenAI from 'openai';
const testing = await import('tapedeck/testing');
const ask = (client, body) => client.chat.completions.create(body);
const hi = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };

const fetch = testing.createMockFetch({ responses: [{ content: 'Packed!', model: 'gpt-4o', tokens: 9 }] });
const viaFetch = await ask(new OpenAI({ apiKey: 'test', fetch, maxRetries: 0 }), hi);

const viaClient = await ask(testing.mockClient({ responses: [{ content: 'From mockClient.' }] }), hi);

const mock = await testing.startMock({ snapshot: 'node_modules/tapedeck/samples/demo', strict: true, log: false });
const weather = JSON.parse(
  (await import('node:fs')).readFileSync(
    'node_modules/tapedeck/samples/demo/calls/000001-openai-chat-gpt-4o-mini-2024-07-18.json', 'utf8'),
).request.body;
const viaServer = await ask(new OpenAI({ apiKey: 'test', baseURL: mock.baseUrls.openai, maxRetries: 0 }), weather);
await mock.close();

console.log(JSON.stringify({
  exports: Object.keys(testing).sort(),
  fetch: { content: viaFetch.choices[0].message.content, totalTokens: viaFetch.usage.total_tokens, calls: fetch.calls.length },
  client: viaClient.choices[0].message.content,
  server: viaServer.choices[0].message.tool_calls[0].function.name,
}));
`;

let tmp: string;
let project: string;

beforeAll(async () => {
  assertBuilt();
  assertTestingBuilt();
  tmp = mkdtempSync(path.join(tmpdir(), 'tapedeck-pack-'));
  const packed = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp],
    { env: npmEnv() },
  );
  if (packed.code !== 0) throw new Error(`npm pack exited ${packed.code}:\n${packed.output}`);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const tarball = path.join(tmp, filename);
  project = path.join(tmp, 'project');
  mkdirSync(project);
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'uses-tapedeck', private: true, type: 'module' }),
  );
  const installed = await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, 'openai'],
    { cwd: project, env: npmEnv() },
  );
  if (installed.code !== 0)
    throw new Error(`npm install exited ${installed.code}:\n${installed.output}`);
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('tapedeck packed and installed in another project', () => {
  it('installs none of the packages only the repository needs', () => {
    const installed = installedPackages(project);
    expect(installed).toContain('tapedeck');
    expect(installed).toContain('openai');
    expect(installed.filter((name) => DEV_ONLY.includes(name))).toEqual([]);
    expect(installed.filter((name) => name.startsWith('@tanstack/'))).toEqual([]);
  });

  it(
    'imports tapedeck/testing, whose mocks answer the openai SDK',
    { timeout: 60_000 },
    async () => {
      writeFileSync(path.join(project, 'check.mjs'), CHECK);
      const { code, stdout, output } = await run(process.execPath, ['check.mjs'], { cwd: project });
      expect(code, output).toBe(0);
      expect(JSON.parse(stdout)).toEqual({
        exports: [
          'TEST_HEADER',
          'createMockFetch',
          'forTest',
          'mockClient',
          'startMock',
          'withMockFetch',
        ],
        fetch: { content: 'Packed!', totalTokens: 9, calls: 1 },
        client: 'From mockClient.',
        server: 'get_weather',
      });
    },
  );

  it('runs the CLI with npx tapedeck', { timeout: 60_000 }, async () => {
    const { code, output } = await run('npx', ['tapedeck', '--help'], {
      cwd: project,
      env: npmEnv(),
    });
    expect(code, output).toBe(0);
    expect(output).toMatch(/^Usage: tapedeck /m);
    expect(output).toMatch(/^ {2}mock \[options\] \[dir\]/m);
  });
});
