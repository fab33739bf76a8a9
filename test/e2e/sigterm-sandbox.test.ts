/**
 * SIGTERM while a sandboxed parser is stuck in native code: the CLI process
 * exits within 2 s and leaves no parser process behind. The image is crafted
 * here: one layer with `spin/sqlite.db`, which a test analyzer (preloaded by
 * test/support/spin-preload.ts) reads with an endless recursive SQLite query.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { writeDockerArchive } from '../../src/image/test-support/image-fixtures.js';
import { freshDir } from '../support/images.js';

const CLI = fileURLToPath(new URL('../support/cli-main.js', import.meta.url));
const PRELOAD = new URL('../support/spin-preload.js', import.meta.url).href;

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (check()) return true;
  return check();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} ends the CLI within 2 s while a sandboxed parser spins in native code`, {
    timeout: 120_000,
  }, async (t) => {
    const dir = await freshDir(`sigterm-sandbox-${signal}`);
    const pidFile = join(dir, 'parser.pid');
    const archive = join(dir, 'image.tar');
    writeDockerArchive(archive, [
      {
        image: {
          layers: [
            {
              files: [
                { path: 'etc/os-release', data: 'ID=debian\n' },
                { path: 'spin/sqlite.db', data: pidFile },
              ],
            },
          ],
        },
      },
    ]);
    const child = spawn(process.execPath, ['--import', PRELOAD, CLI, 'sbom', `docker-archive:${archive}`], {
      env: { ...process.env, CUSTOMS_CACHE_DIR: join(dir, 'cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.on('exit', (code) => resolve({ code, at: Date.now() })),
    );
    try {
      assert.ok(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 60_000), stderr);
      const parser = Number(readFileSync(pidFile, 'utf8'));
      assert.notEqual(parser, child.pid, 'the parser runs in its own process');
      // Let it spin a little: the query never returns.
      await sleep(300);
      assert.ok(alive(parser));
      const sent = Date.now();
      child.kill(signal);
      const result = await Promise.race([exited, sleep(10_000).then(() => undefined)]);
      assert.ok(result, `the CLI still runs 10 s after ${signal}`);
      assert.ok(result.at - sent < 2000, `exited ${result.at - sent} ms after ${signal}`);
      t.diagnostic(`${signal}: exited ${result.at - sent} ms after the signal`);
      assert.notEqual(result.code, 0);
      assert.match(stderr, /cancelled/);
      assert.ok(await waitFor(() => !alive(parser), 1000), 'no parser process is left behind');
    } finally {
      child.kill('SIGKILL');
    }
  });
}
