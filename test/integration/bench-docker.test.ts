/**
 * `customs bench docker` against the real dockerd: containers started by the test
 * trip specific CIS Docker controls (docker.sock mount, host network and PID
 * namespace, added capability, no limits; privileged on a created container), a
 * hardened container passes them, and a second dockerd with a test daemon.json
 * passes the daemon-configuration controls the main daemon fails.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestDaemon, startTripContainers, type TripContainers } from '../support/bench-docker.js';
import { run, runCustoms } from '../support/images.js';

interface BenchJson {
  benchmark: string;
  target: string;
  results: {
    id: string;
    title: string;
    status: string;
    level: number;
    scored: boolean;
    evidence: string[];
    remediation: string;
  }[];
}

async function bench(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Map<string, BenchJson['results'][number]>> {
  const r = await runCustoms(['bench', 'docker', '-f', 'json', ...args], env);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as BenchJson;
  assert.equal(doc.benchmark, 'cis-docker');
  const include = args[args.indexOf('--include') + 1];
  if (args.includes('--include'))
    assert.ok(doc.target.endsWith(`(containers and images named *${include}*)`), doc.target);
  return new Map(doc.results.map((x) => [x.id, x]));
}

let trip: TripContainers;
before(async () => {
  trip = await startTripContainers(`cbench-${process.pid}`);
});
after(async () => {
  await trip?.remove();
});

/** The containers a control's evidence names. */
function named(r: BenchJson['results'][number] | undefined): string[] {
  return [...new Set((r?.evidence ?? []).flatMap((e) => /^container \/(\S+):/.exec(e)?.[1] ?? []))].sort();
}

test('the trip containers fail exactly the controls they were started to fail', async () => {
  const { sock, hostnet, priv, good } = trip.names;
  const r = await bench(['--include', trip.prefix]);
  const expect: Record<string, string[]> = {
    '5.5': [priv],
    '5.32': [sock],
    '5.10': [hostnet],
    '5.16': [hostnet],
    '5.4': [hostnet],
    '5.11': [hostnet, priv, sock],
    '5.12': [hostnet, priv, sock],
    '5.29': [hostnet, priv, sock],
    '5.13': [hostnet, priv, sock],
    '5.26': [hostnet, priv, sock],
    '4.1': [hostnet, priv, sock],
    '5.27': [hostnet, priv, sock],
  };
  for (const [id, names] of Object.entries(expect)) {
    assert.equal(r.get(id)?.status, 'fail', `${id}: ${JSON.stringify(r.get(id))}`);
    assert.deepEqual(named(r.get(id)), [...names].sort(), id);
    assert.ok(!named(r.get(id)).includes(good), `${id} names the hardened container`);
  }
  // The hardened image has a HEALTHCHECK (4.6 judges images): the only image included passes.
  assert.equal(r.get('4.6')?.status, 'pass', JSON.stringify(r.get('4.6')));
  assert.equal(r.get('5.22')?.status, 'pass');
  assert.equal(r.get('5.31')?.status, 'pass');
  // Privileged was seen on a container that never ran.
  assert.match(r.get('5.5')?.evidence[0] ?? '', /Privileged=true \(state created\)/);
});

test('without the trip containers, the same controls pass on the hardened one alone', async () => {
  const r = await bench(['--include', trip.names.good]);
  for (const id of [
    '5.5',
    '5.32',
    '5.10',
    '5.16',
    '5.4',
    '5.11',
    '5.12',
    '5.29',
    '5.13',
    '5.26',
    '4.1',
    '5.27',
    '5.15',
  ])
    assert.equal(r.get(id)?.status, 'pass', `${id}: ${JSON.stringify(r.get(id))}`);
});

test('a dockerd with a hardened daemon.json passes the daemon controls; a loosened file fails its own', async () => {
  const config = {
    icc: false,
    'live-restore': true,
    'no-new-privileges': true,
    'userland-proxy': false,
    'log-level': 'info',
    'default-ulimits': { nofile: { Name: 'nofile', Soft: 1024, Hard: 4096 } },
  };
  const d = await startTestDaemon(config);
  try {
    const r = await bench([], { DOCKER_HOST: d.host, DOCKER_CONTENT_TRUST: '1' });
    for (const [id, key] of [
      ['2.2', 'icc'],
      ['2.3', 'log-level'],
      ['2.8', 'default-ulimits'],
      ['2.14', 'no-new-privileges'],
      ['2.16', 'userland-proxy'],
    ] as const) {
      assert.equal(r.get(id)?.status, 'pass', `${id}: ${JSON.stringify(r.get(id))}`);
      assert.ok(
        r.get(id)?.evidence.some((e) => e.startsWith(`daemon.json ${d.configFile}: "${key}"`)),
        JSON.stringify(r.get(id)),
      );
    }
    assert.equal(r.get('2.15')?.status, 'pass');
    assert.equal(r.get('4.5')?.status, 'pass');
    assert.equal(r.get('3.18')?.status, 'pass');
    assert.equal(r.get('5.5')?.status, 'info', 'the second daemon has no containers');

    await chmod(d.configFile, 0o666);
    const loose = await bench([], { DOCKER_HOST: d.host });
    assert.equal(loose.get('3.18')?.status, 'fail');
    assert.deepEqual(loose.get('3.18')?.evidence, [`${d.configFile}: mode 666 (at most 644)`]);
    assert.equal(loose.get('4.5')?.status, 'fail');
  } finally {
    await d.stop();
  }
});

test('the main daemon, started without a daemon.json, fails the same daemon controls', async () => {
  const r = await bench(['--include', trip.names.good]);
  for (const id of ['2.2', '2.14', '2.15', '2.16'])
    assert.equal(r.get(id)?.status, 'fail', `${id}: ${JSON.stringify(r.get(id))}`);
});

test('SARIF and JUnit carry the failed controls as misconfigurations', async () => {
  const sarif = await runCustoms(['bench', 'docker', '-f', 'sarif', '--include', trip.prefix]);
  assert.equal(sarif.code, 0, sarif.stderr);
  const ids = new Set(
    (JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string }[] }[] }).runs[0]?.results.map((x) => x.ruleId),
  );
  for (const id of ['CIS-DOCKER-5.5', 'CIS-DOCKER-5.32', 'CIS-DOCKER-5.10']) assert.ok(ids.has(id), [...ids].join(' '));
  const junit = await runCustoms(['bench', 'docker', '-f', 'junit', '--include', trip.prefix, '--exit-code']);
  assert.equal(junit.code, 1, 'a failed control with --exit-code exits 1');
  assert.match(
    junit.stdout,
    /<testcase classname="cis-docker" name="5\.32 Ensure that the Docker socket is not mounted inside any containers" time="0">\n {6}<failure/,
  );
});

test('an unreachable daemon is an input error naming DOCKER_HOST', async () => {
  const r = await runCustoms(['bench', 'docker'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /cannot reach the Docker daemon at unix:\/\/\/nonexistent\/docker\.sock/);
  assert.match(r.stderr, /DAEMON_UNREACHABLE/);
});

test('rules the kernel has loaded (auditctl -l) count for 1.1.x, with their source', async () => {
  const bin = await mkdtemp(join(tmpdir(), 'cbench-auditctl-'));
  try {
    // A stand-in auditctl that prints what `auditctl -l` prints for one watch rule.
    await writeFile(
      join(bin, 'auditctl'),
      '#!/bin/sh\n[ "$1" = "-l" ] && echo "-w /usr/bin/dockerd -p rwxa -k docker"\n',
    );
    await chmod(join(bin, 'auditctl'), 0o755);
    const r = await bench(['--include', trip.names.good], { PATH: `${bin}:${process.env.PATH ?? ''}` });
    assert.equal(r.get('1.1.3')?.status, 'pass');
    assert.deepEqual(r.get('1.1.3')?.evidence, ['audit rule "-w /usr/bin/dockerd -p rwxa -k docker" (auditctl -l)']);
    assert.equal(r.get('1.1.14')?.status, 'fail', 'the other files stay unwatched');
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});

test('5.7 reads the running processes of each container (GET /containers/{id}/top)', async () => {
  const name = `${trip.prefix}-sshd`;
  const base = (await run('docker', ['inspect', '--format', '{{.Config.Image}}', trip.names.sock])).stdout.trim();
  try {
    // A process called sshd (a copy of sleep): what the Engine API's top lists is what is judged.
    await run('docker', [
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'none',
      base,
      'sh',
      '-c',
      'cp /bin/sleep /tmp/sshd && exec /tmp/sshd infinity',
    ]);
    const r = await bench(['--include', name]);
    assert.equal(r.get('5.7')?.status, 'fail', JSON.stringify(r.get('5.7')));
    assert.match(r.get('5.7')?.evidence[0] ?? '', new RegExp(`^container /${name}: runs "/tmp/sshd infinity"`));
    const others = await bench(['--include', trip.names.good]);
    assert.equal(others.get('5.7')?.status, 'pass');
  } finally {
    await run('docker', ['rm', '-f', name], { allowFailure: true });
  }
});
