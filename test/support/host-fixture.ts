/** Temp folders for the desktop host tests: a copy of the demo snapshot, a config dir, cleanup. */
import { cp, mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DesktopHost, type DesktopHostOptions } from '../../proxy/host/desktop-host.js';

export const sampleDir = fileURLToPath(new URL('../../samples/demo', import.meta.url));

export interface HostFixture {
  /** Real path of a temp folder holding everything below. */
  base: string;
  /** A copy of samples/demo: `<base>/snap`. */
  snap: string;
  configDir: string;
  host: DesktopHost;
  cleanup(): Promise<void>;
}

export async function hostFixture(options: Partial<DesktopHostOptions> = {}): Promise<HostFixture> {
  const base = await realpath(await mkdtemp(path.join(tmpdir(), 'tapedeck-host-')));
  const snap = path.join(base, 'snap');
  await cp(sampleDir, snap, { recursive: true });
  const configDir = path.join(base, 'config');
  await mkdir(configDir);
  const host = new DesktopHost({
    mode: 'browser',
    configDir,
    browseStart: base,
    sampleSource: sampleDir,
    watchDebounceMs: 20,
    ...options,
  });
  return {
    base,
    snap,
    configDir,
    host,
    async cleanup() {
      await host.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first event `accept` takes, or rejects after `ms`. */
export function nextEvent<T>(
  subscribe: (listener: (event: T) => void) => () => void,
  accept: (event: T) => boolean,
  ms = 1000,
): Promise<{ event: T; afterMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${ms} ms`));
    }, ms);
    const off = subscribe((event) => {
      if (!accept(event)) return;
      clearTimeout(timer);
      off();
      resolve({ event, afterMs: performance.now() - started });
    });
  });
}
