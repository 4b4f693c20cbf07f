/** Snapshot folders for the browser tests: generated calls, one failed call with a fault, one broken file. */
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSnapshot, writeSnapshot } from '../../bench/snapshot-gen.js';
import { callFileName, serializeCall } from '../../proxy/store/snapshot-store.js';
import { Call, type StreamEvent } from '../../shared/schema.js';
import {
  anthropicBody,
  anthropicStream,
  callOf,
  chatBody,
  chatStream,
  geminiBody,
  geminiStream,
  responsesBody,
  responsesStream,
  type WireFamily,
} from '../../test/support/tool-call-wire.js';

export const BROKEN_FILE = 'calls/000900-broken.json';
const BROKEN_TEXT = '{\n  "id": "c_broken",\n  "seq": 900,\n  "recordedAt": oops\n}\n';

/** Readers see a whole file or none: write beside it under a non-.json name, then rename. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(temp, text);
  await rename(temp, file);
}

export async function callFiles(dir: string): Promise<string[]> {
  return (await readdir(path.join(dir, 'calls'))).filter((n) => n.endsWith('.json')).sort();
}

export async function readCall(dir: string, rel: string): Promise<Call> {
  return Call.parse(JSON.parse(await readFile(path.join(dir, rel), 'utf8')));
}

/**
 * `count` generated calls (every 10th streamed), then call #5 turned into a 503 with a latency
 * fault, so errors and faults show in the table, plus a file that is not JSON.
 */
export async function makeSnapshot(dir: string, count: number): Promise<void> {
  await generateSnapshot(dir, count, { seed: 7, streamEvery: 10 });
  const names = await callFiles(dir);
  const fifth = names.find((n) => n.startsWith('000005-'));
  if (!fifth) throw new Error('the generated snapshot has no call #5');
  const call = await readCall(dir, `calls/${fifth}`);
  call.response = {
    status: 503,
    headers: { 'content-type': 'application/json' },
    body: { error: { message: 'overloaded', type: 'server_error' } },
  };
  call.faults = [{ kind: 'latency', ttfb: { fixed: 50 } }];
  await writeFile(path.join(dir, 'calls', fifth), serializeCall(call));
  await writeFile(path.join(dir, BROKEN_FILE), BROKEN_TEXT);
}

/** Calls `from`…`from + count - 1` of the same generator, written into `dir` one by one. */
export async function addCalls(dir: string, from: number, count: number): Promise<string[]> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'tapedeck-more-'));
  try {
    await generateSnapshot(scratch, from + count - 1, { seed: 7, streamEvery: 10 });
    const added: string[] = [];
    for (const name of await callFiles(scratch)) {
      if (Number(name.slice(0, 6)) < from) continue;
      const text = await readFile(path.join(scratch, 'calls', name), 'utf8');
      await writeAtomically(path.join(dir, 'calls', name), text);
      added.push(`calls/${name}`);
    }
    return added;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface ToolReplyCase {
  file: string;
  family: WireFamily;
  streamed: boolean;
  /** Whether the reply has text beside its tool calls. */
  text: boolean;
  call: Call;
}

const TOOL_FAMILIES: readonly {
  family: WireFamily;
  upstream: string;
  url: string;
  streamUrl: string;
  api: string;
  body: () => unknown;
  stream: () => StreamEvent[];
}[] = [
  {
    family: 'openai-chat',
    upstream: 'openai',
    url: 'https://api.openai.com/v1/chat/completions',
    streamUrl: 'https://api.openai.com/v1/chat/completions',
    api: 'chat.completions',
    body: chatBody,
    stream: chatStream,
  },
  {
    family: 'openai-responses',
    upstream: 'openai',
    url: 'https://api.openai.com/v1/responses',
    streamUrl: 'https://api.openai.com/v1/responses',
    api: 'responses',
    body: responsesBody,
    stream: responsesStream,
  },
  {
    family: 'anthropic-messages',
    upstream: 'anthropic',
    url: 'https://api.anthropic.com/v1/messages',
    streamUrl: 'https://api.anthropic.com/v1/messages',
    api: 'messages',
    body: anthropicBody,
    stream: anthropicStream,
  },
  {
    family: 'gemini',
    upstream: 'gemini',
    url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
    streamUrl:
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    api: 'generateContent',
    body: geminiBody,
    stream: geminiStream,
  },
];

/**
 * One call per wire family, streamed and not, whose replies carry two tool calls (the hand-written
 * replies of test/support/tool-call-wire.ts), plus an OpenAI chat reply with tool calls and no
 * text at all (`content: null`), the shape tool-calling replies usually have.
 */
export async function makeToolReplySnapshot(dir: string): Promise<ToolReplyCase[]> {
  const cases: Omit<ToolReplyCase, 'file'>[] = [];
  for (const f of TOOL_FAMILIES) {
    for (const streamed of [false, true]) {
      const call = streamed
        ? callOf(f.streamUrl, f.api === 'generateContent' ? 'streamGenerateContent' : f.api, {
            stream: f.stream(),
          })
        : callOf(f.url, f.api, { body: f.body() });
      cases.push({
        call: { ...call, upstream: f.upstream, provider: f.upstream },
        family: f.family,
        streamed,
        text: true,
      });
    }
  }
  const toolsOnly = chatBody() as { choices: { message: { content: unknown } }[] };
  for (const c of toolsOnly.choices) c.message.content = null;
  const bare = callOf('https://api.openai.com/v1/chat/completions', 'chat.completions', {
    body: toolsOnly,
  });
  cases.push({
    call: { ...bare, upstream: 'openai', provider: 'openai' },
    family: 'openai-chat',
    streamed: false,
    text: false,
  });
  const numbered = cases.map((c, i) => ({
    ...c,
    call: { ...c.call, id: `c_tools_${i + 1}`, seq: i + 1 },
  }));
  await writeSnapshot(dir, []);
  for (const c of numbered) {
    await writeFile(path.join(dir, 'calls', callFileName(c.call)), serializeCall(c.call));
  }
  return numbered.map((c) => ({ ...c, file: `calls/${callFileName(c.call)}` }));
}
