/**
 * Debian's Chromium driven by playwright-core (no Playwright browser download): where it is,
 * and a launch with the flags CI machines need and a profile of its own.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** CHROMIUM_PATH when set (and present), else /usr/bin/chromium; null when neither exists. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [env['CHROMIUM_PATH'], '/usr/bin/chromium'].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Whether a missing browser must fail the run (CI sets E2E_REQUIRED=1) instead of skipping. */
export function e2eRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['E2E_REQUIRED'] === '1';
}

export function skipMessage(what: string): string {
  return (
    `${what}: skipped, no Chromium at CHROMIUM_PATH or /usr/bin/chromium ` +
    `(install Debian's chromium, or set CHROMIUM_PATH; E2E_REQUIRED=1 makes this a failure)`
  );
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(
  executablePath: string,
  viewport = { width: 1440, height: 900 },
): Promise<Browser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'tapedeck-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    args: CHROMIUM_FLAGS,
    // Headless Playwright hides scrollbars by default; the layout checks and screenshots must see
    // the page as a user does, scrollbars included.
    ignoreDefaultArgs: ['--hide-scrollbars'],
    viewport,
    colorScheme: 'light',
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
