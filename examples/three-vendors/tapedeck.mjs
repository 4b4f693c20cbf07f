// Starts the Tapedeck CLI of this repository as a child process and waits for its
// `listening on URL` line (the first line it prints on stdout).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/tapedeck.js', import.meta.url));

export function startTapedeck(args, { quiet = false } = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('tapedeck did not start within 15 s')), 15_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const m = /^listening on (\S+)$/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line from tapedeck: ${line}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tapedeck ${args[0]} exited with code ${code} before listening`));
    });
  });
  return url.then((u) => ({
    url: u,
    /** Ctrl-C, as a user stops it; resolves with the exit code. */
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  }));
}
