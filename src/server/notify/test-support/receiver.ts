/**
 * Test support: a real HTTP webhook receiver on 127.0.0.1 that records every
 * request (headers and the raw body bytes) and answers as the test says.
 * Also a server context over a store with a hand-moved clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerContext, ServerLog } from '../../context.js';
import type { Store } from '../../../store/index.js';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** How to answer the next requests (default 200). */
  respond: (r: Received, res: ServerResponse) => void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    respond: (_r, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Requests a test left unanswered must not hold the close.
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      receiver.respond(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (receiver as { url: string }).url = `http://127.0.0.1:${port}/hook`;
  return receiver;
}

/** Log lines kept in memory (so tests can check what was, and was not, logged). */
export function memoryLog(): ServerLog & { readonly lines: string[] } {
  const lines: string[] = [];
  const put = (level: string) => (obj: object, msg?: string) =>
    void lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  return { lines, info: put('info'), warn: put('warn'), error: put('error'), debug: put('debug') };
}

/** A server context over `store` with the given clock; close() removes its data dir. */
export function testContext(
  store: Store,
  now: () => number,
  extra: { readonly dbPath?: string } = {},
): ServerContext & { close(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'customs-notify-'));
  const controller = new AbortController();
  return {
    store,
    log: memoryLog(),
    dataDir,
    ...(extra.dbPath !== undefined ? { dbPath: extra.dbPath } : {}),
    signal: controller.signal,
    now,
    close: () => {
      controller.abort();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
