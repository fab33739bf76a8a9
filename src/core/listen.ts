/**
 * Start a server listening, or fail as a service should: an address in use, a port that
 * needs privileges or a host that is not this machine's is SERVER_LISTEN_FAILED (exit 3,
 * "pick another --listen HOST:PORT"), naming the address, never an internal error.
 */
import type { AddressInfo, Server } from 'node:net';
import { CustomsError } from './errors.js';

export function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const failed = (e: Error): void =>
      reject(new CustomsError('SERVER_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${e.message}`, e));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve(server.address() as AddressInfo);
    });
  });
}
