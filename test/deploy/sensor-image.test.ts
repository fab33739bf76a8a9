/**
 * The sensor image (the Dockerfile's `sensor` target), built from a locally made base:
 * the debootstrap'd bookworm with Debian's bpftrace (sensorBaseImage), node and /app
 * from the same builder stage as the customs image. It runs the sensor the way the
 * DaemonSet does (deploy/kubernetes/base/sensor.yaml): the Docker socket mounted, the
 * host's PID namespace, tracefs, and only the capabilities bpftrace needs.
 *
 * What this machine allows, both asserted below: `customs sensor inventory` inside the
 * image lists a container the test started; and the sensor itself, with all capabilities
 * dropped but the DaemonSet's that this machine can grant (capabilityFlags: SYS_ADMIN and
 * SYS_PTRACE here; BPF and PERFMON unnamed by Docker 20.10, SYS_RESOURCE outside the
 * sandbox's bounding set), --pid host and tracefs mounted read-only, loads its bpftrace
 * program and alerts on a shell exec in a watched container (kernel 6.18 with BTF).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { testContainers, type TestContainers } from '../support/containers.js';
import { run } from '../support/images.js';
import { sensorImage } from './image-support.js';

let image = '';
let tc: TestContainers;
let target = '';
const started: string[] = [];

before(async () => {
  image = await sensorImage();
  tc = await testContainers();
  target = await tc.start(['--name', tc.name('sensor-image'), '--network', 'none']);
});

after(async () => {
  for (const id of started) await run('docker', ['rm', '-f', '-v', id], { allowFailure: true });
  await tc?.cleanup();
});

const HOST_ACCESS = ['--pid', 'host', '-v', '/var/run/docker.sock:/var/run/docker.sock:ro'];

/**
 * `--cap-add` for what the DaemonSet grants, less what this machine cannot give, each
 * left out with its reason (returned for the test's diagnostics):
 * - Docker Engines before 23.0 do not know CAP_BPF and CAP_PERFMON by name (this one,
 *   20.10, refuses them); CAP_SYS_ADMIN, granted anyway, is the kernel's fallback for both;
 * - a sandbox whose own bounding set lacks a capability cannot hand it on (runc: "unable
 *   to apply caps"); this machine's lacks CAP_SYS_RESOURCE, which the sensor needs only to
 *   raise RLIMIT_MEMLOCK on kernels before 5.11.
 * SYS_ADMIN and SYS_PTRACE are required: without them the sensor cannot run, and the test fails.
 */
async function capabilityFlags(): Promise<{ flags: string[]; left: string[] }> {
  const caps = ['SYS_ADMIN', 'SYS_PTRACE'];
  const left: string[] = [];
  for (const cap of ['BPF', 'PERFMON', 'SYS_RESOURCE']) {
    const r = await run(
      'docker',
      ['run', '--rm', '--network', 'none', '--cap-drop', 'ALL', '--cap-add', cap, '--entrypoint', 'true', image],
      { allowFailure: true },
    );
    if (r.code === 0) caps.push(cap);
    else {
      assert.match(r.stderr, /unknown capability|unable to apply caps/, r.stderr);
      left.push(`${cap}: ${r.stderr.trim().split('\n')[0]}`);
    }
  }
  return { flags: ['--cap-drop', 'ALL', ...caps.flatMap((c) => ['--cap-add', c])], left };
}

describe('the sensor image', () => {
  test('carries bpftrace, node and the CLI, with OCI labels, and names the sensor as its command', async () => {
    const { stdout } = await run('docker', ['image', 'inspect', '-f', '{{json .Config}}', image]);
    const c = JSON.parse(stdout) as {
      User: string;
      Entrypoint: string[];
      Cmd: string[];
      Labels: Record<string, string>;
    };
    assert.deepEqual(c.Entrypoint, ['node', '/app/bin/customs.js']);
    assert.deepEqual(c.Cmd, ['sensor', '--help']);
    // root on purpose (the Dockerfile says why); explicit, not inherited from the base.
    assert.equal(c.User, '0:0');
    assert.equal(c.Labels['org.opencontainers.image.title'], 'customs-sensor');
    for (const key of ['description', 'licenses', 'version', 'revision', 'source', 'base.name', 'created'])
      assert.ok(c.Labels[`org.opencontainers.image.${key}`], `label org.opencontainers.image.${key}`);
    const bpf = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'bpftrace',
      image,
      '--version',
    ]);
    assert.match(bpf.stdout, /^bpftrace v0\.(1[7-9]|[2-9]\d)/);
    const version = await run('docker', ['run', '--rm', '--network', 'none', '--read-only', image, '--version']);
    assert.match(version.stdout, /\d+\.\d+\.\d+/);
  });

  test('`customs sensor inventory` inside it, with the Docker socket and the host PID namespace, lists the test container', async () => {
    const r = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      '--read-only',
      ...HOST_ACCESS,
      image,
      'sensor',
      'inventory',
      '-f',
      'json',
      '--containerd',
      'none',
    ]);
    const inv = JSON.parse(r.stdout) as { containers: { id: string; name: string; state: string; pid?: number }[] };
    const mine = inv.containers.find((c) => c.id === target);
    assert.ok(mine, `container ${target} in ${JSON.stringify(inv.containers.map((c) => c.name))}`);
    assert.equal(mine.name, tc.name('sensor-image'));
    assert.equal(mine.state, 'running');
  });

  test('the sensor in it, with the DaemonSet’s capabilities, alerts on a shell exec in the test container', {
    timeout: 120_000,
  }, async (t) => {
    const caps = await capabilityFlags();
    for (const l of caps.left) t.diagnostic(`capability left out here: ${l}`);
    const { stdout } = await run('docker', [
      'run',
      '-d',
      '--network',
      'none',
      '--read-only',
      ...HOST_ACCESS,
      ...caps.flags,
      '-v',
      '/sys/kernel/tracing:/sys/kernel/tracing:ro',
      image,
      // The default store ($XDG_DATA_HOME/customs/sensor, on the state volume), written
      // with every capability but the sensor's dropped (no CAP_DAC_OVERRIDE).
      'sensor',
      '--window',
      '0',
      '--duration',
      '90s',
      '--watch-label',
      `customs.test/sensor-image=${target}`,
    ]);
    const sensor = stdout.trim();
    started.push(sensor);
    const logs = async () => run('docker', ['logs', sensor], { allowFailure: true });
    // Ready once its bpftrace program is attached (it logs "sensor ready" on stderr).
    for (let i = 0; i < 60 && !(await logs()).stderr.includes('sensor ready'); i++) {
      const state = (await run('docker', ['inspect', '-f', '{{.State.Running}}', sensor])).stdout.trim();
      assert.equal(state, 'true', `the sensor ended before it was ready:\n${(await logs()).stderr}`);
      await sleep(1000);
    }
    assert.match((await logs()).stderr, /sensor ready/);
    // A labelled container the sensor watches, and a shell exec in it.
    const watched = await tc.start([
      '--name',
      tc.name('sensor-watched'),
      '--network',
      'none',
      '--label',
      `customs.test/sensor-image=${target}`,
    ]);
    let alert: Record<string, unknown> | undefined;
    for (let i = 0; i < 30 && !alert; i++) {
      await tc.exec(watched, 'true');
      await sleep(1000);
      alert = (await logs()).stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find(
          (r) =>
            r.kind === 'alert' &&
            r.ruleId === 'CRT-001' &&
            (r.container as { id?: string } | undefined)?.id === watched,
        );
    }
    const out = await logs();
    assert.ok(alert, `no shell alert for ${watched}:\n${out.stdout.slice(-2000)}\n${out.stderr.slice(-2000)}`);
    assert.match(String(alert.detail), /sh -c true$/);
    // …and recorded it in its store on the state volume.
    const stored = await run('docker', ['exec', sensor, 'ls', '/var/lib/customs/data/customs/sensor']);
    assert.match(stored.stdout, /state\.db/);
    await run('docker', ['stop', '-t', '20', sensor]);
    const exit = (await run('docker', ['inspect', '-f', '{{.State.ExitCode}}', sensor])).stdout.trim();
    assert.equal(exit, '0', `SIGTERM stops the sensor with status 0:\n${(await logs()).stderr.slice(-2000)}`);
  });
});
