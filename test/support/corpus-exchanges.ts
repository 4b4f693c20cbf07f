/**
 * Reads the VCR cassettes of ../shared/corpus (real provider traffic recorded by pydantic-ai) and
 * turns each interaction into the RecordedRequest / RecordedResponse shapes a call file holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createParser } from 'eventsource-parser';
import YAML from 'yaml';
import type { RecordedRequest, RecordedResponse, StreamEvent } from '../../shared/schema.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// TAPEDECK_CORPUS points elsewhere (a git worktree does not sit beside ../shared).
export const corpusDir = path.resolve(
  repoRoot,
  process.env['TAPEDECK_CORPUS'] ?? '../shared/corpus',
);
export const corpusPresent = fs.existsSync(corpusDir);

export interface CorpusExchange {
  /** `folder/file.yaml#index`, for failure messages. */
  where: string;
  url: URL;
  request: RecordedRequest;
  response: RecordedResponse;
}

interface RawInteraction {
  request: {
    method: string;
    uri: string;
    headers?: Record<string, string[]>;
    parsed_body?: unknown;
    body?: unknown;
  };
  response: {
    status: { code: number };
    headers?: Record<string, string[]>;
    parsed_body?: unknown;
    body?: { string?: unknown };
  };
}

function flatHeaders(h: Record<string, string[]> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {}))
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** Splits an SSE text into events the way a client sees them; cassettes keep no timing, so `at` is 0. */
export function sseEvents(text: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  const parser = createParser({
    onEvent(e) {
      const ev: StreamEvent = { at: 0, data: e.data };
      if (e.event) ev.event = e.event;
      if (e.id) ev.id = e.id;
      events.push(ev);
    },
  });
  parser.feed(text);
  parser.feed('\n\n');
  return events;
}

function responseBody(value: unknown, isSse: boolean): Partial<RecordedResponse> {
  if (value instanceof Uint8Array) return { bodyBase64: Buffer.from(value).toString('base64') };
  if (typeof value !== 'string' || value === '') return {};
  if (isSse) return { stream: sseEvents(value) };
  try {
    return { body: JSON.parse(value) as unknown };
  } catch {
    return { bodyText: value };
  }
}

function toExchange(where: string, raw: RawInteraction): CorpusExchange {
  const request: RecordedRequest = {
    method: raw.request.method,
    url: raw.request.uri,
    headers: flatHeaders(raw.request.headers),
  };
  if (raw.request.parsed_body !== undefined) request.body = raw.request.parsed_body;
  else if (typeof raw.request.body === 'string' && raw.request.body !== '') {
    try {
      request.body = JSON.parse(raw.request.body) as unknown;
    } catch {
      request.bodyText = raw.request.body;
    }
  }
  const headers = flatHeaders(raw.response.headers);
  const text = raw.response.body?.string;
  const isSse =
    (headers['content-type'] ?? '').includes('text/event-stream') ||
    (typeof text === 'string' && /^(event|data):/.test(text.trimStart()));
  const response: RecordedResponse = {
    status: raw.response.status.code,
    headers,
    ...(raw.response.parsed_body !== undefined
      ? { body: raw.response.parsed_body }
      : responseBody(text, isSse)),
  };
  return { where, url: new URL(raw.request.uri), request, response };
}

export function loadCorpusExchanges(): CorpusExchange[] {
  const out: CorpusExchange[] = [];
  for (const folder of fs.readdirSync(corpusDir).sort()) {
    const dir = path.join(corpusDir, folder);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      if (!file.endsWith('.yaml')) continue;
      const doc = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
        interactions?: RawInteraction[];
      };
      (doc.interactions ?? []).forEach((raw, i) =>
        out.push(toExchange(`${folder}/${file}#${i}`, raw)),
      );
    }
  }
  return out;
}

const HOST_UPSTREAM: Readonly<Record<string, string>> = {
  'api.openai.com': 'openai',
  'api.anthropic.com': 'anthropic',
  'generativelanguage.googleapis.com': 'gemini',
  'api.x.ai': 'xai',
  'openrouter.ai': 'openrouter',
};

/** The Tapedeck upstream name and path a recording of this URL would have had. */
export function routeOf(url: URL): { upstream: string; path: string } {
  // Other hosts get the name a user would likely give them: the vendor label ("cerebras", "azure").
  const upstream = HOST_UPSTREAM[url.host] ?? url.host.split('.').at(-2) ?? url.host;
  // The built-in openrouter upstream is https://openrouter.ai/api, so its paths start after /api.
  const p = upstream === 'openrouter' ? url.pathname.replace(/^\/api(?=\/)/, '') : url.pathname;
  return { upstream, path: p };
}
