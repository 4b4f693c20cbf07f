/**
 * Runs the gateway: `node dist/examples/gateway/main.js --vendors URL [--port 8000] [--host H]`.
 * URL is where the three vendors are served (`tapedeck mock examples/three-vendors/snapshot
 * --scenario three-vendors --port 8080` → http://127.0.0.1:8080). Logs go to stdout, a JSON line
 * per decision.
 */
import { parseArgs } from 'node:util';
import { gatewayLogger } from './log.js';
import { threeVendors } from './registry.js';
import { startGateway } from './server.js';

const { values } = parseArgs({
  options: {
    vendors: { type: 'string', default: 'http://127.0.0.1:8080' },
    port: { type: 'string', default: '8000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`gateway: --port must be 0..65535, got ${values.port}\n`);
  process.exit(2);
}
const log = gatewayLogger();
const gw = await startGateway({
  registry: threeVendors(values.vendors),
  log,
  port,
  host: values.host,
});
process.stderr.write(
  `gateway listening on ${gw.url} (POST /v1/route), vendors at ${values.vendors}\n`,
);
const stop = () => void gw.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
