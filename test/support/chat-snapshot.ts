/**
 * A snapshot folder of OpenAI chat calls written as the recorder writes them (serializeCall,
 * signatureOf), for tests of matching edits: each call answers with its own reply text.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import type { LiveRequest } from '../../shared/matching/live-request.js';
import { signatureOf } from '../../shared/matching/signature.js';
import { Call } from '../../shared/schema.js';
import { initSnapshotDir, writeCallFile } from '../../proxy/store/snapshot-store.js';

export interface ChatCall {
  model: string;
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
  reply: string;
}

export function chatRequest(c: Omit<ChatCall, 'reply'>): LiveRequest {
  return {
    upstream: 'openai',
    method: 'POST',
    path: '/v1/chat/completions',
    query: {},
    body: { model: c.model, messages: c.messages },
  };
}

export function chatCallFile(c: ChatCall, seq: number): Call {
  const req = chatRequest(c);
  return Call.parse({
    id: `c_${seq}`,
    seq,
    recordedAt: '2026-01-01T00:00:00.000Z',
    upstream: 'openai',
    provider: 'openai',
    api: 'chat.completions',
    model: c.model,
    request: {
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body: req.body,
    },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        id: `chatcmpl-${seq}`,
        object: 'chat.completion',
        created: 1767225600,
        model: c.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: c.reply },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
      },
    },
    outcome: 'complete',
    timing: { ttfbMs: 5, totalMs: 6 },
    usage: null,
    costUsd: null,
    costSource: 'none',
    signature: signatureOf(req),
  });
}

/** A new folder holding these calls (seq 1, 2, …) and, when given, this tapedeck.json. */
export async function chatSnapshot(
  calls: readonly ChatCall[],
  manifest?: Record<string, unknown>,
): Promise<{ dir: string; files: string[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-chat-'));
  await initSnapshotDir(dir, 'test');
  if (manifest)
    await writeFile(path.join(dir, 'tapedeck.json'), JSON.stringify(manifest, null, 2) + '\n');
  const files: string[] = [];
  for (const [i, c] of calls.entries())
    files.push(await writeCallFile(dir, chatCallFile(c, i + 1)));
  return { dir, files };
}

export function openaiClient(mockUrl: string): OpenAI {
  return new OpenAI({ apiKey: 'sk-test-key', baseURL: `${mockUrl}/openai/v1`, maxRetries: 0 });
}

/** The reply text, or the HTTP status of a refusal (a miss is a 404). */
export async function ask(client: OpenAI, c: Omit<ChatCall, 'reply'>): Promise<string | number> {
  try {
    const r = await client.chat.completions.create({ model: c.model, messages: c.messages });
    return r.choices[0]?.message.content ?? '';
  } catch (e) {
    if (e instanceof OpenAI.APIError && e.status !== undefined) return e.status;
    throw e;
  }
}

/** A chat call whose system prompt names a date: the change a route rule is made for. */
export const datedChat = (model: string, date: string, question: string, reply = ''): ChatCall => ({
  model,
  messages: [
    { role: 'system' as const, content: `You are terse. Today is ${date}.` },
    { role: 'user' as const, content: question },
  ],
  reply,
});
