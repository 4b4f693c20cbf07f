#!/usr/bin/env node
// `npm start [-- folder]`: the desktop app in Electron where a binary and a display exist; anywhere
// else the same UI in the browser (`tapedeck ui`), opening the last folder. Never downloads.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

const dist = (rel) => new URL(`../dist/${rel}`, import.meta.url);
if (!existsSync(fileURLToPath(dist('proxy/cli.js')))) {
  process.stderr.write('tapedeck: not built yet; run `npm install` (or `npm run build`) first.\n');
  process.exit(2);
}

const args = process.argv.slice(2);
const mainJs = fileURLToPath(dist('electron/main.js'));
const { findElectron } = await import(dist('proxy/host/electron-binary.js').href);
const electron = existsSync(mainJs)
  ? findElectron()
  : { reason: 'dist/electron/main.js is not built (npm run build:electron)' };

if ('path' in electron) {
  // Chromium refuses to run as root with its sandbox on; the renderer's own sandbox stays on.
  const rootFlags = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  if (rootFlags.length > 0)
    process.stderr.write('tapedeck: running as root, so Chromium runs without its OS sandbox.\n');
  const child = spawn(electron.path, [...rootFlags, mainJs, ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (e) => {
    process.stderr.write(`tapedeck: cannot start Electron: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  process.stderr.write(
    `tapedeck: Electron cannot start here (${electron.reason}); serving the browser UI instead.\n`,
  );
  const { main } = await import(dist('proxy/cli.js').href);
  const { RecentFolders } = await import(dist('proxy/host/recent.js').href);
  const { configDir } = await import(dist('proxy/host/config-dir.js').href);
  const valued = new Set(['--port', '--host']);
  const hasFolder = args.some((a, i) => !a.startsWith('-') && !valued.has(args[i - 1] ?? ''));
  const last = hasFolder ? undefined : (await new RecentFolders(configDir()).list())[0];
  process.exitCode = await main(['ui', ...args, ...(last ? [last] : [])]);
}
