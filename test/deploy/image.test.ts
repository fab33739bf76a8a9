/**
 * customs' own image (the repository's Dockerfile), built from a locally made Node.js base
 * (image-support.ts): what it contains, how it runs (non-root, no shell, read-only root,
 * HEALTHCHECK of `serve`), and that two builds of one commit give the same layers.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../support/registry.js';
import { run, WORK_DIR } from '../support/images.js';
import {
  buildImage,
  commitEpoch,
  customsImage,
  devPackages,
  diffIds,
  nodeBaseImage,
  stageContext,
  withDockerfileBuilds,
} from './image-support.js';

interface ImageConfig {
  readonly User: string;
  readonly Entrypoint: string[];
  readonly Labels: Record<string, string>;
  readonly Healthcheck?: { readonly Test: string[] };
  readonly Volumes?: Record<string, unknown>;
  readonly Env: string[];
}

let image = '';
const started: string[] = [];

before(async () => {
  image = await customsImage();
});

after(async () => {
  for (const id of started) await run('docker', ['rm', '-f', '-v', id], { allowFailure: true });
});

async function config(ref: string): Promise<ImageConfig> {
  const { stdout } = await run('docker', ['image', 'inspect', '-f', '{{json .Config}}', ref]);
  return JSON.parse(stdout) as ImageConfig;
}

describe('the customs image', () => {
  test('runs the CLI as a numeric non-root user, with OCI labels, a HEALTHCHECK and one volume', async () => {
    const c = await config(image);
    assert.match(c.User, /^[1-9]\d*:[1-9]\d*$/, 'USER is a numeric uid:gid other than root');
    assert.deepEqual(c.Entrypoint, ['node', '/app/bin/customs.js']);
    for (const key of ['title', 'description', 'licenses', 'version', 'revision', 'source', 'base.name']) {
      assert.ok(c.Labels[`org.opencontainers.image.${key}`], `label org.opencontainers.image.${key}`);
    }
    assert.equal(
      c.Labels['org.opencontainers.image.revision'],
      (await run('git', ['rev-parse', 'HEAD'])).stdout.trim(),
    );
    assert.equal(c.Healthcheck?.Test[0], 'CMD', 'exec-form HEALTHCHECK (no shell to run a string)');
    assert.equal(c.Healthcheck?.Test[1], 'node');
    assert.deepEqual(Object.keys(c.Volumes ?? {}), ['/var/lib/customs']);
    for (const v of ['HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'CUSTOMS_DATA_DIR']) {
      const value = c.Env.find((e) => e.startsWith(`${v}=`))?.slice(v.length + 1) ?? '';
      assert.ok(value.startsWith('/var/lib/customs'), `${v}=${value} lies under the state volume`);
    }
    const version = await run('docker', ['run', '--rm', '--network', 'none', '--read-only', image, '--version']);
    assert.match(version.stdout, /\d+\.\d+\.\d+/);
  });

  test('has no shell, no package manager, no setuid files, no tests in the final stage', async () => {
    for (const prog of ['/bin/sh', '/usr/bin/bash', '/usr/bin/apt-get', '/usr/bin/dpkg', '/usr/local/bin/npm']) {
      const r = await run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', prog, image, '-c', 'true'], {
        allowFailure: true,
      });
      assert.notEqual(r.code, 0, `${prog} must not run in the image`);
    }
    // node itself lists the files: there is nothing else to run them with.
    const script = `
      const fs = require('node:fs'), path = require('node:path'), out = [];
      const walk = (d) => { let es = []; try { es = fs.readdirSync(d, { withFileTypes: true }); } catch { return; } for (const e of es) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) { if (!['/proc', '/sys', '/dev'].includes(p)) walk(p); }
        else if (e.isFile()) { const m = fs.lstatSync(p).mode; if (m & 0o6000) out.push('setid ' + p);
          if (p.startsWith('/app/test/') || (p.startsWith('/app/dist/') && (/\\.test\\.js$/.test(p) || p.includes('/test-support/')))) out.push('test ' + p); } } };
      walk('/'); console.log(JSON.stringify(out));`;
    const r = await run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'node', image, '-e', script]);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });

  test('ships no package the lockfile marks as development-only', async () => {
    // node lists /app/node_modules (packages, scoped ones and nested copies) inside the image.
    const script = `
      const fs = require('node:fs'), path = require('node:path'), out = [];
      const walk = (d) => { let es = []; try { es = fs.readdirSync(d); } catch { return; } for (const e of es) {
        const p = path.join(d, e);
        if (e.startsWith('@')) { walk(p); continue; }
        if (fs.existsSync(path.join(p, 'package.json'))) { out.push(p); walk(path.join(p, 'node_modules')); } } };
      walk('/app/node_modules'); console.log(JSON.stringify(out));`;
    const r = await run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'node', image, '-e', script]);
    const shipped = (JSON.parse(r.stdout) as string[]).map((p) => p.replace(/^\/app\//, ''));
    assert.ok(shipped.includes('node_modules/better-sqlite3'), shipped.join(' '));
    const dev = await devPackages();
    assert.deepEqual(
      shipped.filter((p) => dev.has(p)),
      [],
      'development packages in the image',
    );
  });

  test('serve becomes healthy under a read-only root, its state on the volume', async () => {
    const port = await freePort();
    const { stdout } = await run('docker', [
      'run',
      '-d',
      '--read-only',
      '--network',
      'host',
      '--health-interval',
      '1s',
      '--health-start-period',
      '1s',
      '-e',
      `CUSTOMS_LISTEN=127.0.0.1:${port}`,
      image,
      'serve',
    ]);
    const id = stdout.trim();
    started.push(id);
    let status = '';
    for (let i = 0; i < 60 && status !== 'healthy'; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      status = (await run('docker', ['inspect', '-f', '{{.State.Health.Status}}', id])).stdout.trim();
      assert.notEqual(status, 'unhealthy', (await run('docker', ['logs', id])).stderr);
    }
    assert.equal(status, 'healthy');
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(res.status, 200);
    const files = await run('docker', [
      'exec',
      id,
      'node',
      '-e',
      "console.log(require('fs').readdirSync('/var/lib/customs/server').sort().join(','))",
    ]);
    assert.match(files.stdout, /admin\.token/, 'the admin token is written to the state volume');
    await run('docker', ['stop', '-t', '20', id]);
    const exit = (await run('docker', ['inspect', '-f', '{{.State.ExitCode}}', id])).stdout.trim();
    assert.equal(exit, '0', 'SIGTERM stops serve with status 0');
  });

  test('two builds of one commit, from fresh copies of the sources and no cache, give the same layers', async () => {
    const base = await nodeBaseImage();
    // A fresh copy of the context: new mtimes, new inode order, same content.
    const staged = await stageContext(join(WORK_DIR, 'customs-image', 'context-again'));
    const epoch = await commitEpoch();
    const again = await withDockerfileBuilds(async () => {
      const id = await buildImage({
        tag: 'customs-test/customs:repro',
        base,
        context: staged.dir,
        sourceDateEpoch: epoch,
        noCache: true,
      });
      const layers = await diffIds(id);
      // --no-prune: the build's intermediate images stay (other builds may have taken them as cache).
      await run('docker', ['rmi', '--no-prune', 'customs-test/customs:repro'], { allowFailure: true });
      return layers;
    });
    assert.deepEqual(again, await diffIds(image));
  });
});
