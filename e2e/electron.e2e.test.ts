/**
 * The desktop app in a real Electron, driven by Playwright: it opens the sample given on the
 * command line, the table shows its calls, `window.api` is exactly the allowlist, and navigating
 * away is denied (only https links go to the system browser). Runs where an Electron binary and a
 * display exist; elsewhere it is skipped with the reason printed. E2E_REQUIRED does not make this
 * suite required: only the browser e2e is.
 *
 * Run it: npx install-electron (or ELECTRON_OVERRIDE_DIST_PATH=<dir with the binary>), then
 * `npm run build && npm run build:renderer && npm run build:electron`, then
 * `xvfb-run -a npx vitest run e2e/electron.e2e.test.ts` on Linux without a desktop.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRELOAD_KEYS } from '../electron/channels.js';
import { findElectron } from '../proxy/host/electron-binary.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const mainJs = path.join(root, 'dist', 'electron', 'main.js');
const sample = path.join(root, 'samples', 'demo');
const found = findElectron();
const skipReason = 'path' in found ? null : found.reason;
if (skipReason !== null)
  process.stdout.write(
    `[electron e2e] skipped: no runnable Electron here (${skipReason}). ` +
      'Set ELECTRON_OVERRIDE_DIST_PATH or run `npx install-electron`, with a display (xvfb-run on Linux).\n',
  );

describe.skipIf(skipReason !== null)('the Electron app', () => {
  let app: ElectronApplication;
  let page: Page;
  let configDir: string;

  beforeAll(async () => {
    for (const built of [
      mainJs,
      path.join(root, 'dist', 'electron', 'preload.cjs'),
      path.join(root, 'dist', 'renderer', 'index.html'),
    ])
      if (!existsSync(built))
        throw new Error(
          `${path.relative(root, built)} is missing: run npm run build:renderer and npm run build:electron`,
        );
    configDir = await mkdtemp(path.join(tmpdir(), 'tapedeck-electron-e2e-'));
    app = await electron.launch({
      executablePath: 'path' in found ? found.path : '',
      args: [mainJs, sample],
      cwd: root,
      env: { ...process.env, TAPEDECK_CONFIG_DIR: configDir },
      timeout: 30_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it('serves the renderer from app://tapedeck and opens the sample with its calls in the table', async () => {
    expect(page.url()).toMatch(/^app:\/\/tapedeck\//);
    const rows = page.getByRole('grid', { name: 'calls' }).getByRole('row');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThan(1);
    await expect
      .poll(() => page.getByText('grok-3-mini').count(), { timeout: 5_000 })
      .toBeGreaterThan(0);
  });

  it('exposes exactly the allowlisted window.api and nothing of Node', async () => {
    const surface = await page.evaluate(() => ({
      keys: Object.keys((window as unknown as { api: object }).api).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(surface).toEqual({
      keys: [...PRELOAD_KEYS].sort(),
      require: 'undefined',
      process: 'undefined',
    });
  });

  it('denies navigation and new windows; https links go to the system browser', async () => {
    await app.evaluate(({ shell }) => {
      const opened: string[] = [];
      (globalThis as unknown as { opened: string[] }).opened = opened;
      shell.openExternal = (url: string) => {
        opened.push(url);
        return Promise.resolve();
      };
    });
    const before = page.url();
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.evaluate(() => window.open('https://example.org/', '_blank'));
    await page.evaluate(() => window.open('file:///etc/passwd', '_blank'));
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    expect(app.windows()).toHaveLength(1);
    const opened = await app.evaluate(() => (globalThis as unknown as { opened: string[] }).opened);
    expect(opened).toEqual(['https://example.com/', 'https://example.org/']);
  });
});
