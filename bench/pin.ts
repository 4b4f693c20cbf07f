import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * With two cores, a server and its load generator fight over both unless each has its own: the
 * figure then measures the scheduler as much as the server. Pinning (Linux `taskset`) gives the
 * load generator core 0 and the server core 1, the same for every server compared.
 */
export const SERVER_CPU = 1;
export const LOAD_CPU = 0;

const taskset = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));

export const canPin = taskset !== undefined && availableParallelism() >= 2;

/** The command and arguments that run `command` on `cpu`, or unchanged where pinning is impossible. */
export function pinned(
  cpu: number | undefined,
  command: string,
  args: readonly string[],
): [string, string[]] {
  if (cpu === undefined || !taskset || !canPin) return [command, [...args]];
  return [taskset, ['-c', String(cpu), command, ...args]];
}
