import { spawn } from 'node:child_process';

/** The pid of a process that has exited, so it names no live writer (for side-file clean-up). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}
