/**
 * For the mock-link browser tests: a snapshot of OpenAI chat calls, the real `openai` SDK sending
 * a call's request (changed or not) to a running `tapedeck mock`, and the UI opened beside it.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { generateSnapshot } from '../../bench/snapshot-gen.js';
import { callFileName } from '../../bench/calls.js';
import { Call } from '../../shared/schema.js';
import { launchChromium, type Browser } from './chromium.js';
import { startTapedeck, type Running } from './tapedeck-cli.js';

export type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;

/** Generated calls (no streams), every provider; the OpenAI chat ones in seq order. */
export async function makeChatSnapshot(dir: string, count: number): Promise<Call[]> {
  await generateSnapshot(dir, count, { seed: 11, streamEvery: 0 });
  const names = (await readdir(path.join(dir, 'calls'))).filter((n) => n.endsWith('.json')).sort();
  const calls: Call[] = [];
  for (const n of names) {
    const call = Call.parse(JSON.parse(await readFile(path.join(dir, 'calls', n), 'utf8')));
    if (call.upstream === 'openai' && call.request.url.endsWith('/v1/chat/completions'))
      calls.push(call);
  }
  return calls;
}

/** Where bench/snapshot-gen.ts wrote the call. */
export function fileOf(call: Call): string {
  return `calls/${callFileName(call)}`;
}

export function bodyOf(call: Call): ChatBody {
  return structuredClone(call.request.body) as ChatBody;
}

/** The same request with one word of the user's prompt replaced. */
export function withChangedWord(call: Call, word: string): { body: ChatBody; replaced: string } {
  const body = bodyOf(call);
  const user = body.messages.findLast((m) => m.role === 'user');
  if (!user || typeof user.content !== 'string') throw new Error(`call ${call.id}: no user text`);
  const words = user.content.split(' ');
  const at = Math.min(4, words.length - 1);
  const replaced = words[at] ?? '';
  words[at] = word;
  user.content = words.join(' ');
  return { body, replaced };
}

export function client(mockUrl: string): OpenAI {
  return new OpenAI({ baseURL: `${mockUrl}/openai/v1`, apiKey: 'sk-test', maxRetries: 0 });
}

/** 'hit' when the mock answered with a call, else the status it answered with. */
export async function send(mockUrl: string, body: ChatBody): Promise<'hit' | number> {
  try {
    await client(mockUrl).chat.completions.create(body);
    return 'hit';
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err.status ?? -1;
    throw err;
  }
}

export interface Desk {
  ui: Running;
  mock: Running;
  browser: Browser;
  page: Page;
  pageErrors: string[];
  close(): Promise<void>;
}

/** `tapedeck mock DIR` and `tapedeck ui DIR` as a user starts them, and Chromium on the UI. */
export async function openDesk(
  chromium: string,
  dir: string,
  configDir: string,
  mockArgs: readonly string[] = [],
  viewport = { width: 1600, height: 1000 },
): Promise<Desk> {
  const env = { TAPEDECK_CONFIG_DIR: configDir };
  const mock = await startTapedeck(
    ['mock', dir, '--port', '0', '--timing', 'instant', ...mockArgs],
    env,
  );
  const ui = await startTapedeck(['ui', dir, '--port', '0', '--no-open'], env);
  const browser = await launchChromium(chromium, viewport);
  browser.context.setDefaultTimeout(20_000);
  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(ui.url);
  await page.getByTestId('mock-status').filter({ hasText: 'Mock at' }).waitFor({ timeout: 60_000 });
  return {
    ui,
    mock,
    browser,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await Promise.all([ui.stop(), mock.stop()]);
    },
  };
}
