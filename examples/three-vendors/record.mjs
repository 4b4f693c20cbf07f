// Records the example's snapshot: `tapedeck record` in front of a local fake vendor, one call per
// vendor (upstreams a, b and c), into ./snapshot. Run it again to re-record; scenarios/ is kept.
//   node examples/three-vendors/record.mjs        (after `npm install` at the repository root)
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { startFakeVendor } from './fake-vendor.mjs';
import { startTapedeck } from './tapedeck.mjs';
import { VENDORS, ask } from './vendors.mjs';

const snapshot = fileURLToPath(new URL('./snapshot', import.meta.url));

// A fresh recording, not a continuation of the old one (record continues `seq` in a used folder).
await rm(`${snapshot}/calls`, { recursive: true, force: true });
await rm(`${snapshot}/tapedeck.json`, { force: true });

const vendor = await startFakeVendor({ delayMs: 150 });
const upstreams = VENDORS.flatMap((v) => ['--upstream', `${v.name}=${vendor.url}`]);
const recorder = await startTapedeck(['record', snapshot, '--port', '0', ...upstreams]);
try {
  for (const v of VENDORS) {
    const client = new OpenAI({
      apiKey: 'sk-example-not-a-real-key',
      baseURL: `${recorder.url}/${v.name}/v1`,
      maxRetries: 0,
    });
    const reply = await ask(client, v);
    const call = reply.choices[0].message.tool_calls[0];
    console.log(`${v.name}: ${reply.model} → ${call.function.name}(${call.function.arguments})`);
  }
} finally {
  const code = await recorder.stop();
  await vendor.close();
  if (code !== 0) process.exitCode = 1;
}
