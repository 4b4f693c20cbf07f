import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { benchDir } from './paths.js';

/** Raised when a peer cannot be installed or started: the figure is skipped, the bench goes on. */
export class PeerUnavailable extends Error {}

const PEERS_DIR = join(benchDir, 'peers');
// Majors pinned so a later release cannot silently change what the ratio compares against.
const PACKAGES = ['@mockoon/cli@9', 'wiremock@3'];
// aimock has its own folder: its install failing (or an older .bench/peers without it) must not
// take Mockoon and WireMock down with it.
const AIMOCK_DIR = join(benchDir, 'peers-aimock');
const AIMOCK_PACKAGES = ['@copilotkit/aimock@1'];
const INSTALL_TIMEOUT_MS = 240_000;

export const mockoonCliPath = join(PEERS_DIR, 'node_modules', '@mockoon', 'cli', 'bin', 'run.js');
const wiremockBuildDir = join(PEERS_DIR, 'node_modules', 'wiremock', 'build');
export const aimockPackageDir = join(AIMOCK_DIR, 'node_modules', '@copilotkit', 'aimock');

const installations = new Map<string, Promise<void>>();

/**
 * Installs `packages` into `dir` (under .bench/) on first use; they are not project dependencies,
 * and a second run reuses them. One attempt per bench run: a failure is remembered.
 */
function ensureInstalled(
  dir: string,
  packages: readonly string[],
  installed: () => boolean,
  log: (line: string) => void,
): Promise<void> {
  let installation = installations.get(dir);
  if (!installation) {
    installation = (async () => {
      if (installed()) return;
      const where = relative(benchDir, dir);
      log(`  installing ${packages.join(' ')} into .bench/${where} (first run only)…`);
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const args = [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--prefix',
        dir,
        ...packages,
      ];
      const result = await run(npm, args, INSTALL_TIMEOUT_MS).catch((err: Error) => ({
        code: -1,
        output: err.message,
      }));
      if (result.code !== 0 || !installed()) {
        throw new PeerUnavailable(
          `npm install of ${packages.join(' ')} failed (${result.code}): ${reasonOf(result.output)}`,
        );
      }
    })();
    installations.set(dir, installation);
  }
  return installation;
}

export function ensurePeersInstalled(log: (line: string) => void): Promise<void> {
  return ensureInstalled(
    PEERS_DIR,
    PACKAGES,
    () => existsSync(mockoonCliPath) && existsSync(wiremockBuildDir),
    log,
  );
}

export function ensureAimockInstalled(log: (line: string) => void): Promise<void> {
  return ensureInstalled(
    AIMOCK_DIR,
    AIMOCK_PACKAGES,
    () => existsSync(join(aimockPackageDir, 'package.json')),
    log,
  );
}

export function wiremockJarPath(): string {
  const jar = readdirSync(wiremockBuildDir).find((f) => /^wiremock-standalone-.*\.jar$/.test(f));
  if (!jar) throw new PeerUnavailable(`no wiremock-standalone jar in ${wiremockBuildDir}`);
  return join(wiremockBuildDir, jar);
}

/** WireMock needs a Java runtime; its absence is a reason to skip, not an error. */
export async function javaVersion(): Promise<string> {
  const result = await run('java', ['-version'], 30_000).catch((err: Error) => ({
    code: -1,
    output: err.message,
  }));
  if (result.code !== 0) throw new PeerUnavailable(`no usable java: ${reasonOf(result.output)}`);
  return result.output.split('\n')[0]?.trim() ?? 'java';
}

function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/** npm puts the cause first ("npm error code …") and generic advice last. */
function reasonOf(text: string): string {
  const lines = text.trim().split('\n');
  const errors = lines.filter((l) => /^npm (error|ERR!)/.test(l)).slice(0, 3);
  return (errors.length > 0 ? errors : lines.slice(-3)).join(' | ');
}
