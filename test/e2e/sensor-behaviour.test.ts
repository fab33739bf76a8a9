/**
 * The sensor against the real kernel (bpftrace) and Docker Engine: behaviour in
 * test containers raises the right rules with the right container; enforcement
 * actions take effect (and are dry-run by default); Falco's JSON output is
 * ingested. Needs root and bpftrace (scripts/install-deps.sh).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { testContainers } from '../support/containers.js';
import { freshDir, run } from '../support/images.js';
import { sensorTail, startSensor } from '../support/sensor-process.js';

interface Alert {
  kind: string;
  ruleId: string;
  ruleName: string;
  severity: string;
  detail: string;
  source: string;
  container?: { id: string; name: string };
}

/** A loopback listener that reads and discards; its port. */
async function listener(t: { after: (fn: () => void) => void }): Promise<number> {
  const server: Server = createServer((s) => {
    s.on('data', () => {});
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return a.port;
}

const STRATUM = `{"id":1,"method":"mining.subscribe","params":["customs-test/1.0"]}`;

test('a shell exec, a write to /etc, an outbound connect and Stratum raise their rules with the right container', {
  timeout: 150_000,
}, async (t) => {
  const tc = await testContainers();
  t.after(() => tc.cleanup());
  const port = await listener(t);
  const a = await tc.start(['--name', tc.name('beh-a'), '--network', 'host']);
  const b = await tc.start(['--name', tc.name('beh-b'), '--network', 'none']);
  // A baseline window of 0: nothing is learned, every destination is new. Kill on shell, in dry-run (the default).
  const sensor = await startSensor([
    '--window',
    '0',
    '--enforce',
    'shell-in-container=kill',
    '--duration',
    '120s',
    '--listen',
    '127.0.0.1:0',
  ]);
  t.after(() => sensor.stop());
  const httpPort = (sensor.logs.find((l) => l.msg === 'listening')?.data as { port?: number } | undefined)?.port;
  assert.ok(httpPort, 'the sensor logs where it listens');
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${httpPort}${path}`);
    return { status: res.status, text: await res.text() };
  };
  assert.equal((await get('/healthz')).status, 200);
  assert.equal((await get('/readyz')).status, 200);

  await tc.exec(b, 'true');
  // The write names the file relative to the working directory: the rule must still see /etc/motd.
  await run('docker', [
    'exec',
    a,
    'bash',
    '-c',
    `cd /etc && echo tampered >> motd; exec 3<>/dev/tcp/127.0.0.1/${port}; printf '%s\\n' '${STRATUM}' >&3; sleep 0.2`,
  ]);
  const alertsOf = (id: string, rule: string) => (r: Record<string, unknown>) =>
    r.kind === 'alert' && r.ruleId === rule && (r as unknown as Alert).container?.id === id;
  for (const [rule, id] of [
    ['CRT-001', a],
    ['CRT-003', a],
    ['CRT-004', a],
    ['CRT-005', a],
    ['CRT-001', b],
  ] as const)
    assert.ok(
      (await sensor.waitFor(alertsOf(id, rule))).length > 0,
      `${rule} on ${id === a ? 'A' : 'B'}: ${JSON.stringify(sensor.records.slice(-5))}`,
    );
  await sensor.waitFor((r) => r.kind === 'action', 10_000);
  const metrics = (await get('/metrics')).text;
  assert.ok(Number(/^customs_sensor_events_total (\d+)$/m.exec(metrics)?.[1]) > 0, metrics);
  assert.ok(Number(/^customs_sensor_alerts_total (\d+)$/m.exec(metrics)?.[1]) >= 5, metrics);
  assert.equal(await sensor.stop(), 0, sensorTail(sensor.logs));

  const alerts = sensor.records.filter((r) => r.kind === 'alert') as unknown as Alert[];
  const of = (id: string, rule: string) => alerts.filter((x) => x.container?.id === id && x.ruleId === rule);
  assert.match(of(a, 'CRT-001')[0]?.detail ?? '', /^\/usr\/bin\/bash -c cd \/etc && echo tampered/);
  assert.equal(of(a, 'CRT-001')[0]?.container?.name, tc.name('beh-a'));
  assert.equal(of(a, 'CRT-001')[0]?.severity, 'medium');
  assert.match(of(a, 'CRT-003')[0]?.detail ?? '', /^\/etc\/motd opened for writing/);
  assert.ok(of(a, 'CRT-004').some((x) => x.detail.endsWith(`127.0.0.1:${port}`)));
  assert.equal(of(a, 'CRT-005')[0]?.severity, 'critical');
  assert.match(of(b, 'CRT-001')[0]?.detail ?? '', /sh -c true$/);
  // Nothing of A's was given to B.
  assert.equal(of(b, 'CRT-003').length + of(b, 'CRT-004').length + of(b, 'CRT-005').length, 0);
  // Dry-run by default: the kill was decided and audited, the container still runs.
  const actions = sensor.records.filter((r) => r.kind === 'action');
  assert.ok(actions.some((x) => x.action === 'kill' && x.dryRun === true && (x.container as { id: string }).id === a));
  const { stdout } = await run('docker', ['inspect', '-f', '{{.State.Running}}', a]);
  assert.equal(stdout.trim(), 'true');
  const stopped = sensor.logs.find((l) => l.msg === 'sensor stopped')?.data as { events: number; lost: number };
  assert.ok(stopped.events > 0);
});

test('enforcement takes effect: pause, kill, stop and isolate, each audited in the store', {
  timeout: 150_000,
}, async (t) => {
  const tc = await testContainers();
  const net = tc.name('net');
  await run('docker', ['network', 'create', net]);
  t.after(async () => {
    await run('docker', ['unpause', pausedName], { allowFailure: true });
    await tc.cleanup();
    await run('docker', ['network', 'rm', net], { allowFailure: true });
  });
  const port = await listener(t);
  const pausedName = tc.name('pause');
  // Live enforcement acts on what it watches: only this test's containers (other tests run
  // package managers and write under /etc in their own containers at the same time).
  const scope = ['--label', `customs.test/enforce=${net}`];
  const paused = await tc.start(['--name', pausedName, '--network', 'none', ...scope]);
  const killed = await tc.start(['--name', tc.name('kill'), '--network', 'host', ...scope]);
  const isolated = await tc.start(['--name', tc.name('isolate'), '--network', net, ...scope]);
  const stopped = await tc.start(['--name', tc.name('stop'), '--network', 'none', ...scope]);
  // Unlabelled: alerts in it are not this sensor's business.
  const bystander = await tc.start(['--name', tc.name('bystander'), '--network', 'none']);
  const store = await freshDir('sensor-enforce-store');
  const sensor = await startSensor([
    '--window',
    '1h',
    '--store',
    store,
    '--enforce-live',
    '--enforce',
    'credentials-read=pause',
    '--enforce',
    'CRT-005=kill',
    '--enforce',
    'write-below-system-dir=isolate',
    '--enforce',
    'package-manager=stop',
    '--duration',
    '120s',
    '--watch-label',
    `customs.test/enforce=${net}`,
  ]);
  t.after(() => sensor.stop());
  await run('docker', ['exec', paused, 'cat', '/etc/shadow']);
  await run(
    'docker',
    ['exec', killed, 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}; printf '%s\\n' '${STRATUM}' >&3; sleep 5`],
    {
      allowFailure: true,
    },
  );
  await run('docker', ['exec', isolated, 'sh', '-c', 'echo x >> /etc/motd']);
  await run('docker', ['exec', stopped, 'dpkg', '--version']);
  await run('docker', ['exec', bystander, 'dpkg', '--version']);
  const done = (id: string) => (r: Record<string, unknown>) =>
    r.kind === 'action' && (r.container as { id: string }).id === id;
  for (const id of [paused, killed, isolated, stopped])
    assert.ok((await sensor.waitFor(done(id), 30_000)).length > 0, id);
  assert.equal(await sensor.stop(), 0, sensorTail(sensor.logs));

  const actions = sensor.records.filter((r) => r.kind === 'action');
  for (const x of actions) assert.equal(x.ok, true, JSON.stringify(x));
  const state = async (id: string, fmt: string) => (await run('docker', ['inspect', '-f', fmt, id])).stdout.trim();
  assert.equal(await state(paused, '{{.State.Status}}'), 'paused');
  assert.equal(await state(killed, '{{.State.Running}} {{.State.ExitCode}}'), 'false 137');
  assert.equal(await state(stopped, '{{.State.Running}}'), 'false');
  assert.equal(await state(isolated, '{{.State.Running}} {{len .NetworkSettings.Networks}}'), 'true 0');
  assert.equal(await state(bystander, '{{.State.Running}}'), 'true', 'an unwatched container is left alone');
  assert.ok(!actions.some((x) => (x.container as { id: string }).id === bystander));

  const s = await openStore(store);
  try {
    const audit = await s.audit.list();
    const byTarget = new Map(audit.map((e) => [e.target, e.action]));
    assert.equal(byTarget.get(paused), 'runtime.pause');
    assert.equal(byTarget.get(killed), 'runtime.kill');
    assert.equal(byTarget.get(isolated), 'runtime.isolate');
    assert.equal(byTarget.get(stopped), 'runtime.stop');
    const events = await s.events.list({ type: 'runtime.alert' });
    assert.ok(events.some((e) => e.subject === paused && (e.data as { ruleId: string }).ruleId === 'CRT-007'));
    assert.equal((await s.events.list({ type: 'runtime.inventory' })).length, 1);
    // Files exec'd and opened are recorded per container: what "in use" is computed from.
    const inUse = (await s.events.list({ type: 'runtime.in-use' })).filter((e) => e.subject === paused);
    assert.ok(
      inUse.some((e) => (e.data as { files: string[] }).files.includes('/etc/shadow')),
      JSON.stringify(inUse),
    );
  } finally {
    await s.close();
  }
});

test("Falco's JSON output is ingested as alerts, attributed by container.id", { timeout: 60_000 }, async (t) => {
  const tc = await testContainers();
  t.after(() => tc.cleanup());
  const id = await tc.start(['--name', tc.name('falco'), '--network', 'none']);
  const falco = [
    JSON.stringify({
      hostname: 'node-1',
      output: `10:00:00 Notice A shell was spawned in a container (container_id=${id.slice(0, 12)})`,
      priority: 'Notice',
      rule: 'Terminal shell in container',
      source: 'syscall',
      tags: ['container', 'shell'],
      time: '2026-01-02T10:00:00.123456789Z',
      output_fields: { 'container.id': id.slice(0, 12), 'proc.cmdline': 'bash', 'evt.type': 'execve' },
    }),
    'not json at all',
    JSON.stringify({
      rule: 'Write below etc',
      priority: 'Error',
      time: '2026-01-02T10:00:01Z',
      output: 'x',
      output_fields: { 'container.id': 'host' },
    }),
  ].join('\n');
  // Neither --store nor --server: the sensor records into its default local store.
  const dataHome = await freshDir('sensor-falco-data');
  const sensor = await startSensor(['--no-bpftrace', '--falco-json', '-'], `${falco}\n`, dataHome);
  assert.equal(await sensor.exited(), 0);
  const alerts = sensor.records.filter((r) => r.kind === 'alert') as unknown as (Alert & {
    time: string;
    host: string;
  })[];
  assert.equal(alerts.length, 2);
  assert.equal(alerts[0]?.ruleId, 'falco:terminal-shell-in-container');
  assert.equal(alerts[0]?.severity, 'low');
  assert.equal(alerts[0]?.source, 'falco');
  assert.equal(alerts[0]?.container?.id, id);
  assert.equal(alerts[0]?.time, '2026-01-02T10:00:00.123Z');
  assert.equal(alerts[0]?.host, 'node-1');
  assert.equal(alerts[1]?.severity, 'high');
  assert.equal(alerts[1]?.container, undefined);
  const stats = sensor.logs.find((l) => l.msg === 'sensor stopped')?.data as {
    falcoLines: number;
    falcoErrors: number;
  };
  assert.deepEqual([stats.falcoLines, stats.falcoErrors], [3, 1]);
  const local = await openStore(join(dataHome, 'customs', 'sensor'));
  try {
    assert.deepEqual(
      (await local.events.list({ type: 'runtime.alert' })).map((e) => (e.data as { ruleId: string }).ruleId),
      ['falco:terminal-shell-in-container', 'falco:write-below-etc'],
    );
  } finally {
    await local.close();
  }
});
