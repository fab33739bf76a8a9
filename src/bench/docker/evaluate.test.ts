import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareControlIds } from '../types.js';
import { DOCKER_CONTROLS } from './controls.js';
import { evaluateDocker } from './evaluate.js';
import type { ContainerInspect, DockerFacts } from './facts.js';

function facts(over: Partial<DockerFacts> = {}): DockerFacts {
  return {
    endpoint: 'unix:///var/run/docker.sock',
    info: {
      DockerRootDir: '/var/lib/docker',
      Driver: 'overlay2',
      LoggingDriver: 'json-file',
      SecurityOptions: ['name=seccomp,profile=default'],
    },
    daemonArgs: { source: '/proc/1/cmdline', args: [] },
    daemonJson: { path: '/etc/docker/daemon.json', error: 'absent' },
    dataRootMount: '/',
    auditRules: [],
    files: [],
    paths: { socket: '/var/run/docker.sock', registryCerts: [] },
    groups: { 0: 'root', 999: 'docker' },
    containers: [],
    images: [],
    env: {},
    ...over,
  };
}

function container(name: string, over: Partial<ContainerInspect> = {}): ContainerInspect {
  return {
    Id: `${name}0123456789abcdef`,
    Name: `/${name}`,
    State: { Status: 'running' },
    Config: { User: '' },
    HostConfig: { NetworkMode: 'none' },
    Mounts: [],
    ...over,
  };
}

const byId = (f: DockerFacts) => new Map(evaluateDocker(f).map((r) => [r.id, r]));

test('every control appears once, in the benchmark order, with a status and evidence', () => {
  const ids = DOCKER_CONTROLS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(compareControlIds), ids);
  const results = evaluateDocker(facts());
  assert.deepEqual(
    results.map((r) => r.id),
    ids,
  );
  for (const r of results) assert.ok(r.evidence.length > 0 && r.evidence.every((e) => e.length > 0), r.id);
  // Sections 1–6 of CIS Docker 1.6.0: 18 + 2, 18, 24, 12, 32, 2.
  assert.equal(ids.length, 108);
});

test('a privileged container fails 5.5 even when only created; the evidence names it', () => {
  const r = byId(
    facts({
      containers: [
        container('priv', { State: { Status: 'created' }, HostConfig: { Privileged: true } }),
        container('ok'),
      ],
    }),
  );
  assert.equal(r.get('5.5')?.status, 'fail');
  assert.deepEqual(r.get('5.5')?.evidence, ['container /priv: HostConfig.Privileged=true (state created)']);
  assert.equal(byId(facts({ containers: [container('ok')] })).get('5.5')?.status, 'pass');
  assert.equal(byId(facts()).get('5.5')?.status, 'info');
});

test('the Docker socket mounted into a container fails 5.32; /etc read-write fails 5.6, read-only warns', () => {
  const sock = container('sock', {
    Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true }],
  });
  const etcRw = container('etc', { Mounts: [{ Type: 'bind', Source: '/etc/', Destination: '/host-etc', RW: true }] });
  const etcRo = container('etcro', { Mounts: [{ Type: 'bind', Source: '/etc', Destination: '/host-etc', RW: false }] });
  const r = byId(facts({ containers: [sock, etcRw] }));
  assert.equal(r.get('5.32')?.status, 'fail');
  assert.match(r.get('5.32')?.evidence.join() ?? '', /\/sock: the Docker socket \/var\/run\/docker\.sock/);
  assert.equal(r.get('5.6')?.status, 'fail');
  assert.equal(byId(facts({ containers: [etcRo] })).get('5.6')?.status, 'warn');
  assert.equal(byId(facts({ containers: [etcRo] })).get('5.32')?.status, 'pass');
});

test('host namespaces, no limits, added capabilities and unconfined seccomp each fail their control', () => {
  const bad = container('bad', {
    HostConfig: {
      NetworkMode: 'host',
      PidMode: 'host',
      IpcMode: 'host',
      UTSMode: 'host',
      UsernsMode: 'host',
      CapAdd: ['NET_ADMIN'],
      SecurityOpt: ['seccomp=unconfined'],
      RestartPolicy: { Name: 'always' },
    },
  });
  const good = container('good', {
    Config: { User: '1000', Healthcheck: { Test: ['CMD', 'true'] } },
    HostConfig: {
      NetworkMode: 'none',
      Memory: 64 << 20,
      CpuShares: 512,
      PidsLimit: 100,
      ReadonlyRootfs: true,
      SecurityOpt: ['no-new-privileges'],
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
    },
  });
  const r = byId(facts({ containers: [bad] }));
  for (const id of [
    '5.4',
    '5.10',
    '5.11',
    '5.12',
    '5.13',
    '5.15',
    '5.16',
    '5.17',
    '5.21',
    '5.22',
    '5.26',
    '5.27',
    '5.29',
    '5.31',
    '4.1',
  ])
    assert.equal(r.get(id)?.status, 'fail', id);
  assert.match(r.get('4.1')?.evidence[0] ?? '', /CUS-IMG-001/, 'the image check decides 4.1');
  const g = byId(facts({ containers: [good] }));
  for (const id of [
    '5.4',
    '5.10',
    '5.11',
    '5.12',
    '5.13',
    '5.15',
    '5.16',
    '5.17',
    '5.21',
    '5.22',
    '5.26',
    '5.27',
    '5.29',
    '5.31',
    '4.1',
  ])
    assert.equal(g.get(id)?.status, 'pass', id);
});

test('daemon settings come from the flags or daemon.json, and the evidence says which', () => {
  const flags = byId(
    facts({
      daemonArgs: { source: '/proc/7/cmdline', args: ['--icc=false', '--live-restore', '--no-new-privileges'] },
    }),
  );
  assert.equal(flags.get('2.2')?.status, 'pass');
  assert.deepEqual(flags.get('2.2')?.evidence, ['dockerd flag --icc=false (/proc/7/cmdline)']);
  assert.equal(flags.get('2.14')?.status, 'pass');
  const json = byId(
    facts({
      daemonJson: { path: '/x/daemon.json', config: { icc: false, 'userland-proxy': false, 'log-level': 'debug' } },
    }),
  );
  assert.equal(json.get('2.2')?.status, 'pass');
  assert.deepEqual(json.get('2.2')?.evidence, ['daemon.json /x/daemon.json: "icc": false']);
  assert.equal(json.get('2.16')?.status, 'pass');
  assert.equal(json.get('2.3')?.status, 'fail');
  const none = byId(facts());
  assert.equal(none.get('2.2')?.status, 'fail');
  assert.match(none.get('2.2')?.evidence[0] ?? '', /daemon\.json \/etc\/docker\/daemon\.json absent; no --icc flag/);
  assert.equal(none.get('2.3')?.status, 'pass');
});

test('TLS: plain TCP fails 2.7, --tlsverify passes, no TCP socket is info', () => {
  const args = (a: string[]) => byId(facts({ daemonArgs: { source: '/proc/7/cmdline', args: a } })).get('2.7')?.status;
  assert.equal(args(['-H', 'tcp://0.0.0.0:2375']), 'fail');
  assert.equal(args(['-H', 'tcp://0.0.0.0:2376', '--tlsverify']), 'pass');
  assert.equal(args(['--host=tcp://0.0.0.0:2376', '--tls']), 'warn');
  assert.equal(args(['-H', 'unix:///var/run/docker.sock']), 'info');
});

test('file ownership and permissions: the socket root:docker 660 passes, 666 or root:root fails', () => {
  const sock = (mode: number, gid: number) =>
    byId(facts({ files: [{ path: '/var/run/docker.sock', exists: true, uid: 0, gid, mode }] }));
  assert.equal(sock(0o660, 999).get('3.15')?.status, 'pass');
  assert.equal(sock(0o660, 999).get('3.16')?.status, 'pass');
  assert.equal(sock(0o666, 999).get('3.16')?.status, 'fail');
  assert.deepEqual(sock(0o666, 999).get('3.16')?.evidence, ['/var/run/docker.sock: mode 666 (at most 660)']);
  assert.equal(sock(0o660, 0).get('3.15')?.status, 'fail');
  assert.equal(byId(facts()).get('3.17')?.status, 'info');
});

test('audit rules: a watch on the exact path passes, a longer path does not', () => {
  const rules = (rule: string) =>
    byId(facts({ auditRules: [{ source: '/etc/audit/rules.d/docker.rules', rule }] })).get('1.1.3');
  assert.equal(rules('-w /usr/bin/dockerd -k docker')?.status, 'pass');
  assert.equal(rules('-a exit,always -F path=/usr/bin/dockerd -F perm=wa')?.status, 'pass');
  assert.equal(rules('-w /usr/bin/dockerd-rootless.sh -k docker')?.status, 'fail');
  assert.equal(byId(facts()).get('1.1.3')?.status, 'fail');
});

test('1.1.1: the data root on its own mount passes, on / fails', () => {
  assert.equal(byId(facts({ dataRootMount: '/var/lib/docker' })).get('1.1.1')?.status, 'pass');
  assert.equal(byId(facts({ dataRootMount: '/' })).get('1.1.1')?.status, 'fail');
});

test('4.6 runs the image HEALTHCHECK check on every image', () => {
  const r = byId(
    facts({
      images: [
        { Id: 'sha256:aaaaaaaaaaaaaaaaaaaa', RepoTags: ['app:1'], Config: { Healthcheck: { Test: ['CMD', 'true'] } } },
        { Id: 'sha256:bbbbbbbbbbbbbbbbbbbb', RepoTags: ['app:2'], Config: {} },
      ],
    }),
  );
  assert.equal(r.get('4.6')?.status, 'fail');
  assert.deepEqual(r.get('4.6')?.evidence.length, 1);
  assert.match(r.get('4.6')?.evidence[0] ?? '', /^image app:2: CUS-IMG-002/);
});

test('4.9 and 4.10 run the image and history checks on each image: ADD from a URL and a secret warn; 4.7 stays manual', () => {
  const image = (tag: string, created: string[], env?: string[]) => ({
    Id: `sha256:${tag.padEnd(20, '0')}`,
    RepoTags: [tag],
    Config: env ? { Env: env } : {},
    history: created.map((c) => ({ created_by: c })),
  });
  const r = byId(
    facts({
      images: [
        image('upd:1', ['/bin/sh -c apt-get update', '/bin/sh -c apt-get install -y curl']),
        image('add:1', ['/bin/sh -c #(nop) ADD https://example.com/app.tgz /app/']),
        image('sec:1', ['/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2'], ['DB_PASSWORD=hunter2']),
        image('ok:1', ['/bin/sh -c apt-get update && apt-get install -y curl']),
      ],
    }),
  );
  assert.equal(r.get('4.7')?.status, 'manual', 'history also holds the base image entries');
  assert.equal(r.get('4.9')?.status, 'warn');
  assert.match(r.get('4.9')?.evidence.join() ?? '', /^image add:1: /);
  assert.equal(r.get('4.10')?.status, 'warn');
  assert.match(r.get('4.10')?.evidence.join() ?? '', /^image sec:1: /);
  assert.doesNotMatch(r.get('4.10')?.evidence.join() ?? '', /hunter2/, 'secrets are redacted by the checks');
  const clean = byId(facts({ images: [image('ok:1', ['/bin/sh -c apt-get update && apt-get install -y curl'])] }));
  for (const id of ['4.9', '4.10']) assert.equal(clean.get(id)?.status, 'pass', id);
});

test('a daemon reached over TCP: host files and flags are info, what GET /info and containers show is judged', () => {
  const { daemonArgs: _, ...local } = facts();
  const r = byId({
    ...local,
    ...{
      endpoint: 'tcp://10.0.0.5:2376',
      remote: true,
      files: [{ path: '/var/run/docker.sock', exists: true, uid: 0, gid: 0, mode: 0o666 }],
      containers: [container('priv', { HostConfig: { Privileged: true } })],
    },
  });
  for (const id of ['1.1.3', '3.16', '2.2', '2.14']) {
    assert.equal(r.get(id)?.status, 'info', id);
    assert.match(r.get(id)?.evidence[0] ?? '', /tcp:\/\/10\.0\.0\.5:2376 is reached over TCP/);
  }
  assert.equal(r.get('5.5')?.status, 'fail');
  assert.equal(r.get('2.15')?.status, 'fail', 'live restore is in GET /info');
});

test('2.18 experimental features: judged from the running daemon (GET /info ExperimentalBuild)', () => {
  const off = byId(facts());
  assert.equal(off.get('2.18')?.status, 'pass');
  assert.deepEqual(off.get('2.18')?.evidence, ['GET /info ExperimentalBuild=false']);
  const on = byId(facts({ info: { ...facts().info, ExperimentalBuild: true } }));
  assert.equal(on.get('2.18')?.status, 'fail');
  assert.deepEqual(on.get('2.18')?.evidence, ['GET /info ExperimentalBuild=true']);
});
