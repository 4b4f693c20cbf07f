/**
 * Is there an Electron binary this machine can run, and where? Read from the electron package's
 * files only: `require('electron')` would start a download when the binary is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ElectronBinary = { path: string } | { reason: string };

function platformExecutable(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

function electronPackageDir(from: string): string | null {
  try {
    return path.dirname(createRequire(from).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * `ELECTRON_OVERRIDE_DIST_PATH` first (as the electron package itself honours it), then the
 * package's own dist/ folder. On Linux a display is needed too: Electron has no headless mode.
 */
export function findElectron(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  from: string = import.meta.url,
): ElectronBinary {
  const pkg = electronPackageDir(from);
  const pathFile = pkg ? path.join(pkg, 'path.txt') : null;
  const exe =
    pathFile && existsSync(pathFile)
      ? readFileSync(pathFile, 'utf8').trim()
      : platformExecutable(platform);
  let binary: string;
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override) {
    binary = path.join(override, exe);
    if (!existsSync(binary)) return { reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${exe}` };
  } else {
    if (!pkg) return { reason: 'the electron package is not installed' };
    binary = path.join(pkg, 'dist', exe);
    if (!existsSync(binary))
      return {
        reason: 'the Electron binary was never downloaded: node_modules/electron/dist is missing',
      };
  }
  if (platform === 'linux' && !env['DISPLAY'] && !env['WAYLAND_DISPLAY'])
    return { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  return { path: binary };
}
