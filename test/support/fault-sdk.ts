/**
 * The SDK calls the fault tests make, with the exact request bodies they were recorded with, and a
 * recorded snapshot of all of them (real recorder output against the local fake upstreams) that
 * each test copies and adds faults to.
 */
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { request } from 'undici';
import writeFileAtomic from 'write-file-atomic';
import { startRecordServer } from '../../proxy/record-server.js';
import type { Fault } from '../../shared/schema.js';
import { startFakeUpstream } from './fake-upstream.js';
import { startSearchUpstream } from './fault-upstream.js';
import { readCalls } from './snapshot-files.js';

const KEY = 'sk-fault-test';
const QUESTION = 'What is the weather in Paris?';

const weather = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object' as const,
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};

const search = {
  name: 'web_search',
  description: 'Search the web',
  parameters: {
    type: 'object' as const,
    properties: { query: { type: 'string' }, max_results: { type: 'integer' } },
    required: ['query'],
  },
};

export interface ClientOptions {
  maxRetries?: number;
  /** ms; the SDKs' own request timeout. */
  timeout?: number;
}

export function openai(base: string, o: ClientOptions = {}): OpenAI {
  return new OpenAI({
    apiKey: KEY,
    baseURL: `${base}/v1`,
    maxRetries: o.maxRetries ?? 0,
    ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
  });
}

export function anthropic(base: string, o: ClientOptions = {}): Anthropic {
  return new Anthropic({
    apiKey: KEY,
    baseURL: base,
    maxRetries: o.maxRetries ?? 0,
    ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
  });
}

export function gemini(base: string, o: ClientOptions = {}): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: KEY,
    vertexai: false,
    httpOptions: { baseUrl: base, ...(o.timeout !== undefined ? { timeout: o.timeout } : {}) },
  });
}

// ---- the calls, as the tests make them (and as they were recorded) ----

export function chat(client: OpenAI, signal?: AbortSignal) {
  return client.chat.completions.create(
    {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: QUESTION }],
      tools: [{ type: 'function', function: weather }],
    },
    signal ? { signal } : {},
  );
}

export function chatStream(client: OpenAI, signal?: AbortSignal) {
  return client.chat.completions.create(
    {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: QUESTION }],
      tools: [{ type: 'function', function: weather }],
      stream: true,
      stream_options: { include_usage: true },
    },
    signal ? { signal } : {},
  );
}

export function responsesStream(client: OpenAI) {
  return client.responses.create({
    model: 'gpt-4.1-mini',
    input: QUESTION,
    tools: [{ type: 'function', strict: true, ...weather }],
    stream: true,
  });
}

const anthropicRequest = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  messages: [{ role: 'user' as const, content: QUESTION }],
  tools: [
    { name: weather.name, description: weather.description, input_schema: weather.parameters },
  ],
};

export function message(client: Anthropic) {
  return client.messages.create(anthropicRequest);
}

export function messageStream(client: Anthropic) {
  return client.messages.create({ ...anthropicRequest, stream: true });
}

export function generate(client: GoogleGenAI) {
  return client.models.generateContent({
    model: 'gemini-2.5-flash',
    contents: QUESTION,
    config: {
      tools: [{ functionDeclarations: [{ name: weather.name, description: weather.description }] }],
    },
  });
}

export function generateStream(client: GoogleGenAI) {
  return client.models.generateContentStream({
    model: 'gemini-2.5-flash',
    contents: 'What is the capital of France?',
  });
}

export function searchChat(client: OpenAI) {
  return client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Find articles about fault injection.' }],
    tools: [{ type: 'function', function: search }],
  });
}

export function searchChatStream(client: OpenAI) {
  return client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Find articles about fault injection.' }],
    tools: [{ type: 'function', function: search }],
    stream: true,
  });
}

/** Drains a stream, keeping what arrived before an error (which is rethrown with them). */
export async function drain<T>(
  stream: AsyncIterable<T>,
): Promise<{ items: T[]; error: unknown; elapsedMs: number }> {
  const items: T[] = [];
  const t0 = performance.now();
  try {
    for await (const item of stream) items.push(item);
    return { items, error: null, elapsedMs: performance.now() - t0 };
  } catch (error) {
    return { items, error, elapsedMs: performance.now() - t0 };
  }
}

/** The recorded calls by what made them; `upstream` is the NAME of the URL scheme. */
export const SHAPES = [
  'chat',
  'chatStream',
  'responsesStream',
  'message',
  'messageStream',
  'generate',
  'generateStream',
  'searchChat',
  'searchChatStream',
] as const;
export type Shape = (typeof SHAPES)[number];

/**
 * Records every shape once through `startRecordServer` against the fake upstreams (one call file
 * each, in SHAPES order) and returns the folder. Upstream names: openai, anthropic, gemini and
 * `search` (the web_search vendor).
 */
export async function recordSnapshot(): Promise<{ dir: string; files: Record<Shape, string> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-faults-golden-'));
  const fake = await startFakeUpstream({ eventDelayMs: 10 });
  const searchUpstream = await startSearchUpstream();
  const recorder = await startRecordServer({
    dir,
    port: 0,
    upstreams: {
      openai: fake.url,
      anthropic: fake.url,
      gemini: fake.url,
      search: searchUpstream.url,
    },
    log: () => undefined,
  });
  const r = recorder.url;
  try {
    const drainAll = async (s: AsyncIterable<unknown>) => {
      const { error } = await drain(s);
      if (error) throw error;
    };
    await chat(openai(`${r}/openai`));
    await drainAll(await chatStream(openai(`${r}/openai`)));
    await drainAll(await responsesStream(openai(`${r}/openai`)));
    await message(anthropic(`${r}/anthropic`));
    await drainAll(await messageStream(anthropic(`${r}/anthropic`)));
    await generate(gemini(`${r}/gemini`));
    await drainAll(await generateStream(gemini(`${r}/gemini`)));
    await searchChat(openai(`${r}/search`));
    await drainAll(await searchChatStream(openai(`${r}/search`)));
  } finally {
    await recorder.close();
    await fake.close();
    await searchUpstream.close();
  }
  const calls = await readCalls(dir);
  if (calls.length !== SHAPES.length)
    throw new Error(`recorded ${calls.length} calls, expected ${SHAPES.length}`);
  const files = Object.fromEntries(SHAPES.map((s, i) => [s, calls[i]?.file])) as Record<
    Shape,
    string
  >;
  return { dir, files };
}

export interface SnapshotFaults {
  /** Faults in the call files of these shapes. */
  calls?: Partial<Record<Shape, unknown[]>>;
  /** Faults in tapedeck.json (scoped). */
  manifest?: unknown[];
  /** scenarios/NAME.json files. */
  scenarios?: Record<string, unknown[]>;
}

/** A copy of the recorded snapshot with faults written where a user would write them. */
export async function snapshotWith(
  golden: { dir: string; files: Record<Shape, string> },
  faults: SnapshotFaults,
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-faults-'));
  await cp(golden.dir, dir, { recursive: true });
  for (const [shape, list] of Object.entries(faults.calls ?? {}))
    await addCallFaults(dir, golden.files[shape as Shape], list);
  if (faults.manifest) await setManifestFaults(dir, faults.manifest);
  for (const [name, list] of Object.entries(faults.scenarios ?? {})) {
    await mkdir(path.join(dir, 'scenarios'), { recursive: true });
    await writeScenario(dir, name, list);
  }
  return dir;
}

/** Writes scenarios/NAME.json, atomically. */
export async function writeScenario(dir: string, name: string, faults: unknown[]): Promise<void> {
  await writeJson(path.join(dir, 'scenarios', `${name}.json`), { faults });
}

// write-file-atomic, as the desktop app saves: the watcher sees one finished file, never half of one.
async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Sets a call file's faults, atomically (as the desktop editor saves). */
export async function addCallFaults(dir: string, file: string, faults: unknown[]): Promise<void> {
  const p = path.join(dir, 'calls', file);
  const call = JSON.parse(await readFile(p, 'utf8')) as { faults?: unknown[] };
  if (faults.length) call.faults = faults as Fault[];
  else delete call.faults;
  await writeJson(p, call);
}

/** Sets tapedeck.json's faults, atomically. */
export async function setManifestFaults(dir: string, faults: unknown[]): Promise<void> {
  const p = path.join(dir, 'tapedeck.json');
  const manifest = JSON.parse(await readFile(p, 'utf8')) as { faults?: unknown[] };
  if (faults.length) manifest.faults = faults;
  else delete manifest.faults;
  await writeJson(p, manifest);
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The chat call as raw HTTP, for reading headers the SDKs hide. */
export async function rawChat(base: string): Promise<RawReply> {
  const res = await request(`${base}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: QUESTION }],
      tools: [{ type: 'function', function: weather }],
    }),
  });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}
