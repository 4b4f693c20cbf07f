// A bare node:http server that answers every request with one fixed response after a fixed delay
// (setTimeout from the end of the request): the floor for the latency fault figure, the accuracy
// that timers, the loopback and the client allow on this machine.
// Usage: node fault-delay-server.js CONFIG.json DELAY_MS  (CONFIG: a StaticResponse)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StaticResponse } from './static-response.js';

const [configPath, delayArg] = process.argv.slice(2);
if (!configPath || !delayArg) throw new Error('usage: fault-delay-server CONFIG.json DELAY_MS');
const delayMs = Number(delayArg);
const spec = JSON.parse(readFileSync(configPath, 'utf8')) as StaticResponse;
const body = Buffer.from(spec.body, 'utf8');
const headers = { ...spec.headers, 'content-length': String(body.length) };

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    setTimeout(() => {
      res.writeHead(spec.status, headers);
      res.end(body);
    }, delayMs);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
