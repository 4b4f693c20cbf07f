// A bare node:http server answering every request with one fixed response: the baseline for the
// mock throughput figure and the local upstream for the record overhead figure.
// Usage: node static-server.js CONFIG.json  (see StaticResponse in ../static-response.ts)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type StaticResponse } from '../static-response.js';

const configPath = process.argv[2];
if (!configPath) throw new Error('usage: static-server CONFIG.json');
const spec = JSON.parse(readFileSync(configPath, 'utf8')) as StaticResponse;
const body = Buffer.from(spec.body, 'utf8');
const headers = spec.chunked
  ? spec.headers
  : { ...spec.headers, 'content-length': String(body.length) };

const server = createServer((req, res) => {
  // Read the request to its end first, as any server that looks at the body must.
  req.resume();
  req.on('end', () => {
    res.writeHead(spec.status, headers);
    if (spec.chunked) {
      res.write(body);
      res.end();
    } else res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
