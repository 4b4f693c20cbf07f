/**
 * tapedeck.json `rules` in a real mock, through the real `openai` SDK: one rule fixes every call on
 * its route, a rule scoped by model leaves other models alone, an invalid rule is a load error of
 * tapedeck.json naming the place, and a running mock applies an edited rule after its reload.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import { Matcher, type Matchable } from '../shared/matching/matcher.js';
import {
  ask,
  chatCallFile,
  chatRequest,
  chatSnapshot,
  datedChat,
  openaiClient,
  type ChatCall,
} from './support/chat-snapshot.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const RECORDED: ChatCall[] = [
  datedChat('gpt-4o-mini', '2026-01-01', 'Capital of France?', 'Paris'),
  datedChat('gpt-4o-mini', '2026-01-01', 'Capital of Spain?', 'Madrid'),
  datedChat('gpt-4o', '2026-01-01', 'Capital of Italy?', 'Rome'),
];

const dateRule = (extra: Record<string, unknown> = {}) => ({
  upstream: 'openai',
  path: '/v1/chat/completions',
  ignore: ['$.messages[0].content'],
  ...extra,
});

async function mockOn(
  manifest: Record<string, unknown> | undefined,
  watch = false,
): Promise<{ mock: RunningMock; dir: string }> {
  const { dir } = await chatSnapshot(RECORDED, manifest);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const mock = await startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    watch,
    log: () => {},
  });
  cleanups.push(() => mock.close());
  return { mock, dir };
}

describe('manifest rules in the mock', () => {
  it('one rule on the route makes two calls answer with another date in the system prompt', async () => {
    const tomorrow = (q: string) => datedChat('gpt-4o-mini', '2026-05-05', q);
    const plain = await mockOn({ format: 'tapedeck/2' });
    const c0 = openaiClient(plain.mock.url);
    expect(await ask(c0, tomorrow('Capital of France?'))).toBe(404);

    const { mock } = await mockOn({ format: 'tapedeck/2', rules: [dateRule()] });
    const client = openaiClient(mock.url);
    expect(await ask(client, tomorrow('Capital of France?'))).toBe('Paris');
    expect(await ask(client, tomorrow('Capital of Spain?'))).toBe('Madrid');
    // The rule ignores the date, nothing else: another question still misses.
    expect(await ask(client, tomorrow('Capital of Peru?'))).toBe(404);
    // An exactly recorded request still hits its own call.
    expect(await ask(client, datedChat('gpt-4o-mini', '2026-01-01', 'Capital of France?'))).toBe(
      'Paris',
    );
  });

  it('a rule scoped by model leaves calls of other models alone', async () => {
    const { mock } = await mockOn({
      format: 'tapedeck/2',
      rules: [dateRule({ model: 'gpt-4o-mini*' })],
    });
    const client = openaiClient(mock.url);
    expect(await ask(client, datedChat('gpt-4o-mini', '2026-05-05', 'Capital of Spain?'))).toBe(
      'Madrid',
    );
    expect(await ask(client, datedChat('gpt-4o', '2026-05-05', 'Capital of Italy?'))).toBe(404);
    expect(await ask(client, datedChat('gpt-4o', '2026-01-01', 'Capital of Italy?'))).toBe('Rome');
  });

  it('a rule with an invalid ignore path is a load error of tapedeck.json naming the place', async () => {
    const { mock } = await mockOn({
      format: 'tapedeck/2',
      rules: [dateRule(), dateRule({ ignore: ['$.ok', 'messages[0]'] })],
    });
    expect(mock.loadErrors).toHaveLength(1);
    const [error] = mock.loadErrors;
    expect(error?.file).toBe('tapedeck.json');
    expect(error?.reason).toMatch(/^rules\[1\]\.ignore\[1\]: invalid ignore path "messages\[0\]"/);
    // The calls still load and answer, without the manifest.
    expect(mock.calls).toBe(3);
    const client = openaiClient(mock.url);
    expect(await ask(client, datedChat('gpt-4o', '2026-01-01', 'Capital of Italy?'))).toBe('Rome');
  });

  it('a running mock applies an edited rule after its reload', async () => {
    const { mock, dir } = await mockOn(
      { format: 'tapedeck/2', rules: [dateRule({ model: 'none' })] },
      true,
    );
    const client = openaiClient(mock.url);
    const later = datedChat('gpt-4o', '2026-05-05', 'Capital of Italy?');
    expect(await ask(client, later)).toBe(404);
    const file = path.join(dir, 'tapedeck.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as {
      rules: Array<{ model?: string }>;
    };
    delete manifest.rules[0]?.model;
    const reloaded = mock.reloaded();
    await writeFile(file, JSON.stringify(manifest, null, 2) + '\n');
    await reloaded;
    expect(await ask(client, later)).toBe('Rome');
  });
});

describe('manifest rules and precedence', () => {
  it("counts a rule's paths as wildcards, so a closer signature still wins", () => {
    const asked = datedChat('gpt-4o-mini', '2026-05-05', 'Capital of France?');
    // One wildcard: the date globbed in the file.
    const globbed = chatCallFile(RECORDED[0] as ChatCall, 1);
    const body = globbed.signature.body as { messages: Array<{ content: string }> };
    (body.messages[0] as { content: string }).content = 'You are terse. Today is *.';
    // Two wildcards: the rule's ignore of the system prompt and of the question.
    const ruled = chatCallFile({ ...(RECORDED[1] as ChatCall), model: 'gpt-4o-mini' }, 2);
    const rules = [dateRule({ ignore: ['$.messages[0].content', '$.messages[1].content'] })];
    const calls = [
      { id: 'ruled', seq: 0, signature: ruled.signature, model: 'gpt-4o-mini' },
      { id: 'globbed', seq: 1, signature: globbed.signature, model: 'other' },
    ];
    const scoped = rules.map((r) => ({ ...r, model: 'gpt-4o-mini' }));
    const r = new Matcher(calls, { rules: scoped }).match(chatRequest(asked));
    expect(r.kind === 'hit' && r.call.id).toBe('globbed');
    // Without the rule the ruled call does not match at all; with it, alone, it does.
    expect(new Matcher([calls[0] as Matchable]).match(chatRequest(asked)).kind).toBe('miss');
    expect(
      new Matcher([calls[0] as Matchable], { rules: scoped }).match(chatRequest(asked)).kind,
    ).toBe('hit');
  });
});
