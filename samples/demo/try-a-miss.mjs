#!/usr/bin/env node
// Sends one of this sample's recorded chat requests to a running `tapedeck mock` of this folder,
// with one word of its prompt changed, so you can watch a miss: the mock answers 404 with what
// differs from the closest call. Then widen that call in the desktop app and run this again.
//
//   tapedeck mock samples/demo            (in one terminal)
//   node samples/demo/try-a-miss.mjs      (in another; --url http://127.0.0.1:PORT for another port)
//
// Plain Node (18+), no dependencies: it reads the mock's address from .tapedeck/mock.json beside
// it when the mock wrote one, else --url, else http://127.0.0.1:8080.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORD = 'Paris';
const INSTEAD = 'Lyon';

async function mockUrl() {
  const flag = process.argv.indexOf('--url');
  if (flag > 0 && process.argv[flag + 1]) return process.argv[flag + 1].replace(/\/+$/, '');
  try {
    const announced = JSON.parse(await readFile(path.join(here, '.tapedeck', 'mock.json'), 'utf8'));
    if (typeof announced.url === 'string') return announced.url.replace(/\/+$/, '');
  } catch {
    // No running mock announced itself here: fall back to the default address.
  }
  return 'http://127.0.0.1:8080';
}

/** The first recorded OpenAI chat call whose last message says WORD. */
async function pickCall() {
  const dir = path.join(here, 'calls');
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
    const call = JSON.parse(await readFile(path.join(dir, name), 'utf8'));
    const messages = call.request?.body?.messages;
    const last = Array.isArray(messages) ? messages.at(-1) : undefined;
    if (call.upstream === 'openai' && typeof last?.content === 'string' && last.content.includes(WORD))
      return { name, call, last };
  }
  throw new Error(`no OpenAI chat call in ${dir} mentions "${WORD}"`);
}

const url = await mockUrl();
const { name, call, last } = await pickCall();
const before = last.content;
last.content = before.replace(WORD, INSTEAD);
console.log(`call ${name}: "${before}" → "${last.content}"`);
console.log(`POST ${url}/openai${call.route?.path ?? '/v1/chat/completions'}`);
let res;
try {
  res = await fetch(`${url}/openai${call.route?.path ?? '/v1/chat/completions'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer tapedeck-placeholder-key' },
    body: JSON.stringify(call.request.body),
  });
} catch (e) {
  console.error(`no mock at ${url} (${e.cause?.code ?? e.message}): start one with tapedeck mock ${here}`);
  process.exit(2);
}
const text = await res.text();
let message = text;
try {
  message = JSON.parse(text).error?.message ?? text;
} catch {
  // Not JSON: shown as it came.
}
console.log(`→ ${res.status}${res.headers.get('x-tapedeck-closest') ? ` (closest call ${res.headers.get('x-tapedeck-closest')})` : ''}`);
console.log(message);
if (res.status === 404) console.log('That is a miss. Widen the closest call in the desktop app, then run this again.');
else if (res.ok) console.log('That request hit: the snapshot already answers it.');
process.exit(res.status === 404 || res.ok ? 0 : 1);
