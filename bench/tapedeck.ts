import { spawnChild, type Child } from './child.js';
import { cliPath, repoRoot } from './paths.js';

export interface RunningTapedeck {
  child: Child;
  url: string;
  /** ms from spawn to the `listening on` line. */
  listeningAfterMs: number;
}

const START_TIMEOUT_MS = 30_000;

/** Spawns the built CLI exactly as a user would, on a free port. */
export async function startTapedeck(
  mode: 'mock' | 'record',
  dir: string,
  flags: readonly string[],
  logFile: string,
  cpu?: number,
): Promise<RunningTapedeck> {
  const args = [cliPath, mode, dir, '--port', '0', ...flags];
  const child = spawnChild(`tapedeck ${mode}`, process.execPath, args, {
    cwd: repoRoot,
    logFile,
    ...(cpu === undefined ? {} : { cpu }),
  });
  try {
    const { url, at } = await child.listening(START_TIMEOUT_MS);
    return { child, url, listeningAfterMs: at - child.spawnedAt };
  } catch (err) {
    await child.stop();
    throw err;
  }
}
