/**
 * Node built-in modules that a run needs only on some paths, loaded on first use. An ES module's
 * static imports are all loaded before any of its code runs, and a bundle chunk holds the
 * registry client, the Docker Engine client, the clamd client and the layer decoders together with
 * code every run needs: through static imports, a warm `customs sbom` of an archive loaded
 * node:net, tls, dns, http, child_process and zlib (5-6 ms of its start) and called none of them.
 * Node keeps each built-in once, so a second call costs a lookup.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const nodeNet = (): typeof import('node:net') => load('node:net') as typeof import('node:net');
export const nodeTls = (): typeof import('node:tls') => load('node:tls') as typeof import('node:tls');
export const nodeDns = (): typeof import('node:dns') => load('node:dns') as typeof import('node:dns');
export const nodeHttp = (): typeof import('node:http') => load('node:http') as typeof import('node:http');
export const nodeZlib = (): typeof import('node:zlib') => load('node:zlib') as typeof import('node:zlib');
export const nodeChildProcess = (): typeof import('node:child_process') =>
  load('node:child_process') as typeof import('node:child_process');
