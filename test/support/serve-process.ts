/**
 * `customs serve` as a real process for end-to-end tests: spawned through
 * bin/customs.js, ready once it prints where it listens; its JSON log lines
 * (stdout) and human lines (stderr) are kept for the test to inspect.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './images.js';

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** The admin token it printed on first start, if it did. */
  readonly adminToken?: string;
  stdout(): string;
  stderr(): string;
  /** SIGTERM and wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The URL a `customs serve` output says it listens on, once it has said so. */
export const listeningUrl = (output: string): string | undefined => /listening on (https?:\/\/\S+)/.exec(output)?.[1];

export async function startServe(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const bin = process.env.CUSTOMS_BIN ?? join(REPO_ROOT, 'bin', 'customs.js');
  const child = spawn(process.execPath, [bin, 'serve', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`customs serve did not start in 30 s:\n${err}`)), 30_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const url = listeningUrl(err);
      if (url !== undefined) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`customs serve exited with ${String(code)} before listening:\n${err}`));
    });
  });
  const token = /admin token[^\n]*\n\s+(cst_\S+)/.exec(err)?.[1];
  return {
    child,
    url,
    ...(token !== undefined ? { adminToken: token } : {}),
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** One call of the server's REST API with a bearer token: the status and the JSON body (null when empty). */
export async function api(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as Record<string, unknown> };
}
