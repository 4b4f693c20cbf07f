/**
 * `tapedeck ui` and `npm start` as a user runs them, from the built package: the first stdout line,
 * exit codes, the start URL's session, the fallback from Electron to the browser mode, and the
 * launch of an Electron binary when one exists (a stand-in script here).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleDir } from './support/host-fixture.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
const temps: string[] = [];

beforeAll(() => {
  for (const built of ['dist/proxy/cli.js', 'dist/proxy/ui-server.js', 'dist/electron/main.js'])
    if (!existsSync(path.join(root, built)))
      throw new Error(
        `${built} is missing: run \`npm run build\` and \`npm run build:electron\` first`,
      );
});

afterEach(async () => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const t of temps.splice(0)) await rm(t, { recursive: true, force: true });
});

async function temp(): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'tapedeck-cli-ui-')));
  temps.push(dir);
  return dir;
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['DISPLAY'];
  delete env['WAYLAND_DISPLAY'];
  delete env['ELECTRON_OVERRIDE_DIST_PATH'];
  return { ...env, ...extra };
}

interface Started {
  child: ChildProcessWithoutNullStreams;
  first: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function start(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [path.join(root, 'bin', script), ...args], {
    cwd: root,
    env,
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no stdout line in 15 s; stderr: ${stderr}`)),
      15_000,
    );
    lines.once('line', (first) => {
      clearTimeout(timer);
      resolve({ child, first, stderr: () => stderr, exit });
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing; stderr: ${stderr}`));
    });
  });
}

function run(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(root, 'bin', script), ...args], {
    cwd: root,
    env,
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Follows the start URL like a browser and asks the API for appInfo. */
async function appInfoVia(
  startUrl: string,
): Promise<{ initialFolder: string | null; mode: string }> {
  const first = await get(startUrl);
  expect(first.status).toBe(302);
  const cookie = (first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const origin = new URL(startUrl).origin;
  const res = await get(
    `${origin}/api/appInfo`,
    { cookie, 'content-type': 'application/json' },
    'POST',
    '[]',
  );
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { result: { initialFolder: string | null; mode: string } })
    .result;
}

const LISTENING = /^listening on (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{40,})$/;

describe('tapedeck ui', () => {
  it('prints the start URL first, serves the folder given, and stops cleanly on SIGINT', async () => {
    const config = await temp();
    const s = await start(
      'tapedeck.js',
      ['ui', '--no-open', sampleDir],
      cleanEnv({ TAPEDECK_CONFIG_DIR: config }),
    );
    const url = LISTENING.exec(s.first)?.[1];
    expect(url, s.first).toBeDefined();
    expect(await appInfoVia(url!)).toMatchObject({ mode: 'browser', initialFolder: sampleDir });
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(0);
  });

  it('without a folder shows the start page (initialFolder null)', async () => {
    const s = await start(
      'tapedeck.js',
      ['ui', '--no-open', '--port', '0'],
      cleanEnv({ TAPEDECK_CONFIG_DIR: await temp() }),
    );
    expect((await appInfoVia(LISTENING.exec(s.first)![1]!)).initialFolder).toBeNull();
  });

  it('a folder that does not exist and a bad port are usage errors (exit 2, one line)', async () => {
    const missing = await run(
      'tapedeck.js',
      ['ui', '--no-open', path.join(root, 'no-such-folder')],
      cleanEnv({}),
    );
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^tapedeck: snapshot folder not found: .*no-such-folder\n$/);
    const port = await run('tapedeck.js', ['ui', '--no-open', '--port', 'x'], cleanEnv({}));
    expect(port.code).toBe(2);
    expect(port.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('npm start (bin/tapedeck-start.js)', () => {
  it('without Electron: one line saying why, then the browser UI on the last folder', async () => {
    const config = await temp();
    await writeFile(
      path.join(config, 'recent-folders.json'),
      JSON.stringify({ folders: [sampleDir] }),
    );
    const s = await start(
      'tapedeck-start.js',
      ['--no-open'],
      cleanEnv({ TAPEDECK_CONFIG_DIR: config, ELECTRON_OVERRIDE_DIST_PATH: config }),
    );
    const url = LISTENING.exec(s.first)?.[1];
    expect(url, s.first).toBeDefined();
    expect(s.stderr().trim().split('\n')).toEqual([
      'tapedeck: Electron cannot start here (ELECTRON_OVERRIDE_DIST_PATH has no electron); serving the browser UI instead.',
    ]);
    expect(await appInfoVia(url!)).toMatchObject({ initialFolder: sampleDir });
  });

  it('on Linux without a display it says so', async () => {
    const fakeDist = await temp();
    await writeFile(path.join(fakeDist, 'electron'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(fakeDist, 'electron'), 0o755);
    const s = await start(
      'tapedeck-start.js',
      ['--no-open'],
      cleanEnv({ TAPEDECK_CONFIG_DIR: await temp(), ELECTRON_OVERRIDE_DIST_PATH: fakeDist }),
    );
    expect(s.first).toMatch(LISTENING);
    if (process.platform === 'linux')
      expect(s.stderr()).toMatch(/no display \(DISPLAY and WAYLAND_DISPLAY are unset\)/);
  });

  it.skipIf(process.platform === 'win32')(
    'with an Electron binary and a display, launches it on dist/electron/main.js',
    async () => {
      const fakeDist = await temp();
      const log = path.join(fakeDist, 'args.txt');
      await mkdir(fakeDist, { recursive: true });
      await writeFile(
        path.join(fakeDist, 'electron'),
        `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\nexit 3\n`,
      );
      await chmod(path.join(fakeDist, 'electron'), 0o755);
      const res = await run(
        'tapedeck-start.js',
        [sampleDir],
        cleanEnv({ ELECTRON_OVERRIDE_DIST_PATH: fakeDist, DISPLAY: ':99' }),
      );
      expect(res.code).toBe(3);
      const args = (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .filter((a) => a !== '--no-sandbox');
      expect(args).toEqual([path.join(root, 'dist', 'electron', 'main.js'), sampleDir]);
      expect(res.stdout).toBe('');
    },
  );
});
