// The baseline for the SSE timing figure: a plain node:http server that replays one recorded
// stream by scheduling each event at its recorded offset from the request's arrival. What it
// measures is the floor set by the timers, the loopback and the client on this machine.
// Usage: node sse-server.js CALL.json
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Call } from '../../shared/schema.js';
import { formatSseEvent } from '../sse-format.js';

const callPath = process.argv[2];
if (!callPath) throw new Error('usage: sse-server CALL.json');
const call = JSON.parse(readFileSync(callPath, 'utf8')) as Call;
const events = call.response.stream ?? [];

const server = createServer((req, res) => {
  const start = performance.now();
  const at = (ms: number, fn: () => void): void => {
    setTimeout(fn, Math.max(0, ms - (performance.now() - start)));
  };
  req.resume();
  req.on('end', () => {
    at(call.timing.ttfbMs, () => {
      res.writeHead(call.response.status, call.response.headers);
      res.flushHeaders();
      if (events.length === 0) res.end();
    });
    for (const [i, ev] of events.entries()) {
      at(ev.at, () => {
        res.write(formatSseEvent(ev));
        if (i === events.length - 1) res.end();
      });
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
