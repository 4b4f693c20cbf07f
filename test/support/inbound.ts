/** The pieces of an inbound-capture test: the user's app on a real socket, the front's URL. */
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { InboundExchange } from '../../shared/schema.js';
import type { RunningCli } from './cli.js';

export interface App {
  url: string;
  close(): Promise<void>;
}

/** A plain node:http app on a free port, as the user's own service would be. */
export async function startApp(handler: http.RequestListener): Promise<App> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A URL nothing listens on: a port that was free a moment ago, closed again. */
export async function deadUrl(): Promise<string> {
  const app = await startApp((_req, res) => res.end());
  await app.close();
  return app.url;
}

/** Resolves once `until` holds, checking after every tick of the event loop's I/O; a hang guard only. */
export async function waitFor<T>(
  what: string,
  until: () => Promise<T | undefined> | T | undefined,
  hangMs = 10_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await until();
    if (v !== undefined) return v;
    if (Date.now() - start > hangMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The URL of the record process's `--inbound 0=…` front: the port it picked, from the line
 * `inbound PORT → URL` it prints at start (on stderr, before `listening on`).
 */
export async function frontUrl(cli: RunningCli, target: string): Promise<string> {
  const port = await waitFor(`the "inbound PORT → ${target}" line`, () => {
    const m = new RegExp(
      `^inbound (\\d+) → ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
      'm',
    ).exec(cli.stderr());
    return m?.[1];
  });
  return `http://127.0.0.1:${port}`;
}

/** The files of `inbound/` (names sorted), each checked against the committed schema. */
export async function readInbound(dir: string): Promise<Array<InboundExchange & { file: string }>> {
  const folder = path.join(dir, 'inbound');
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return Promise.all(
    names.map(async (file) => {
      const parsed = InboundExchange.safeParse(
        JSON.parse(await readFile(path.join(folder, file), 'utf8')),
      );
      if (!parsed.success)
        throw new Error(`inbound/${file} does not match the schema: ${parsed.error.message}`);
      return { ...parsed.data, file };
    }),
  );
}
