import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import type { DockerApi } from './docker-api.js';
import { BPFTRACE_MALLOC_TUNABLES, bpftraceEnv, FOLDED_CLEARED } from './bpftrace-script.js';
import { Sensor, type SensorRecord } from './sensor.js';

const line = (pid: number, mntns: number): string =>
  `{"t":"exec","ns":1,"pid":${pid},"uid":0,"mntns":${mntns},"cg":0,"ppid":1,"comm":"sh","file":"/bin/sh","a1":"","a2":""}`;

function sensorWith(list: () => Promise<never>): { sensor: Sensor; records: SensorRecord[] } {
  const records: SensorRecord[] = [];
  const sensor = new Sensor({
    api: {} as DockerApi,
    host: 'node-1',
    containers: list,
    windowMs: 0,
    bpftrace: false,
    emit: (r) => records.push(r),
    proc: '/nonexistent-proc',
  });
  return { sensor, records };
}

test('a container list that fails (the engine gone, or cancelled on SIGTERM) never ends the sensor', async () => {
  let calls = 0;
  let fail: Error = new CustomsError('DAEMON_UNREACHABLE', 'cannot reach the Docker Engine');
  const { sensor, records } = sensorWith(async () => {
    calls++;
    throw fail;
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    // The list is read again for an unknown namespace at most once a second.
    const later = () => new Promise((r) => setTimeout(r, 1100));
    sensor.push(line(10, 4026532001));
    sensor.push(line(11, 4026532002));
    await later();
    fail = new CustomsError('ABORTED', 'docker engine request cancelled');
    sensor.push(line(12, 4026532003));
    await later();
    fail = new CustomsError('DAEMON_UNREACHABLE', 'cannot reach the Docker Engine');
    sensor.push(line(13, 4026532004));
    await sensor.stop();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
  assert.equal(calls, 3);
  const stats = sensor.stats();
  assert.equal(stats.events, 4);
  assert.equal(stats.unattributed, 4);
  // One warning for the unreachable engine (once a minute at most), none for the cancellation.
  const warnings = records.filter((r) => r.kind === 'log' && r.level === 'warn');
  assert.equal(warnings.length, 1, JSON.stringify(records));
  assert.match(String((warnings[0] as { msg: string }).msg), /^container list: cannot reach the Docker Engine/);
});

/** A /proc with one task whose mount namespace is `mntns`. */
function fakeProc(pid: number, mntns: number): string {
  const proc = mkdtempSync(join(tmpdir(), 'customs-proc-'));
  mkdirSync(join(proc, String(pid), 'ns'), { recursive: true });
  symlinkSync(`mnt:[${mntns}]`, join(proc, String(pid), 'ns', 'mnt'));
  return proc;
}

test('events the kernel folded into counts are counted, per container, once each', async (t) => {
  const ns = 4026532100;
  const proc = fakeProc(4242, ns);
  t.after(() => rmSync(proc, { recursive: true, force: true }));
  const records: SensorRecord[] = [];
  const sensor = new Sensor({
    api: {} as DockerApi,
    host: 'node-1',
    containers: async () => [{ id: 'c'.repeat(64), name: 'web', imageId: 'sha256:1', imageRef: 'web:1', pid: 4242 }],
    windowMs: 0,
    bpftrace: false,
    emit: (r) => records.push(r),
    proc,
  });
  await sensor.start();
  const open = (file: string, flags = 0): string =>
    `{"t":"open","ns":1,"pid":7,"uid":0,"mntns":${ns},"cg":55,"flags":${flags},"comm":"perl","file":"${file}"}`;
  // bpftrace's JSON records (-f json): a printf's text, a printed map.
  const printf = (text: string): string => JSON.stringify({ type: 'printf', data: `${text}\n` });
  const folded = (counts: Record<string, number>): string =>
    JSON.stringify({ type: 'map', data: { '@folded': counts } });
  // First occurrences arrive as lines; repeats as cumulative totals per (namespace, cgroup, type).
  sensor.pushRecord(printf(open('/etc/hostname')));
  sensor.pushRecord(printf(open('/etc/shadow')));
  sensor.pushRecord(folded({ [`${ns},55,open`]: 4998 }));
  sensor.pushRecord('');
  sensor.pushRecord(folded({ [`${ns},55,open`]: 9000 }));
  // Another namespace, of no known container, in the same print.
  sensor.pushRecord(folded({ [`${ns},55,open`]: 9000, '4026532999,56,send': 10 }));
  // A restarted bpftrace counts from zero again: a smaller total is all new.
  sensor.pushRecord(folded({ [`${ns},55,open`]: 100 }));
  sensor.pushRecord(folded({ bogus: 1 }));
  // The kernel's counts were cleared (once a minute): totals start again from zero, even
  // when the next one is larger than the last before the clear.
  sensor.pushRecord(printf(FOLDED_CLEARED));
  sensor.pushRecord(folded({ [`${ns},55,open`]: 20000 }));
  await sensor.stop();
  const stats = sensor.stats();
  assert.equal(stats.events, 2 + 9000 + 10 + 100 + 20000);
  assert.equal(sensor.folded(), 9000 + 10 + 100 + 20000);
  assert.equal(stats.unattributed, 10);
  assert.equal(stats.malformed, 1);
  assert.deepEqual(sensor.eventsByContainer(), { web: 2 + 9000 + 100 + 20000 });
  assert.deepEqual(sensor.foldedByContainer(), { web: 9000 + 100 + 20000 });
  // The first lines still reach the rules and the in-use files.
  assert.ok(records.some((r) => r.kind === 'alert' && r.alert.ruleId === 'CRT-007'));
  assert.deepEqual(sensor.inUse()[0]?.files, ['/etc/hostname', '/etc/shadow']);
});

test('bpftrace runs with its string size and the malloc settings that return what the compiler freed', async (t) => {
  const proc = fakeProc(1, 4026531840);
  t.after(() => rmSync(proc, { recursive: true, force: true }));
  // A stand-in for bpftrace: says it attached, then reports its environment.
  const fake = join(proc, 'fake-bpftrace');
  writeFileSync(
    fake,
    '#!/bin/sh\necho "Attaching 1 probes..."\necho "env STRLEN=$BPFTRACE_STRLEN TUNABLES=$GLIBC_TUNABLES" >&2\nexec sleep 30\n',
  );
  chmodSync(fake, 0o755);
  const records: SensorRecord[] = [];
  const before = process.env.GLIBC_TUNABLES;
  process.env.GLIBC_TUNABLES = 'glibc.malloc.tcache_count=0';
  t.after(() => {
    if (before === undefined) delete process.env.GLIBC_TUNABLES;
    else process.env.GLIBC_TUNABLES = before;
  });
  const sensor = new Sensor({
    api: {} as DockerApi,
    host: 'node-1',
    containers: async () => [],
    windowMs: 0,
    bpftrace: fake,
    emit: (r) => records.push(r),
    proc,
  });
  await sensor.start();
  const deadline = Date.now() + 10_000;
  const envLine = () =>
    records.find((r) => r.kind === 'log' && r.msg.startsWith('bpftrace: env ')) as { msg: string } | undefined;
  while (!envLine() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await sensor.stop();
  assert.equal(
    envLine()?.msg,
    `bpftrace: env STRLEN=96 TUNABLES=${BPFTRACE_MALLOC_TUNABLES}:glibc.malloc.tcache_count=0`,
  );
  assert.deepEqual(bpftraceEnv({}).GLIBC_TUNABLES?.split(':'), [
    'glibc.malloc.arena_max=1',
    'glibc.malloc.trim_threshold=0',
    'glibc.malloc.mmap_threshold=65536',
  ]);
});

test("a container's strings cannot forge an event: no new line, no other namespace, no lost count", async (t) => {
  const victim = 4026532200;
  const attacker = 4026532201;
  const proc = fakeProc(4300, victim);
  mkdirSync(join(proc, '4301', 'ns'), { recursive: true });
  symlinkSync(`mnt:[${attacker}]`, join(proc, '4301', 'ns', 'mnt'));
  t.after(() => rmSync(proc, { recursive: true, force: true }));
  const records: SensorRecord[] = [];
  const sensor = new Sensor({
    api: {} as DockerApi,
    host: 'node-1',
    containers: async () => [
      { id: 'v'.repeat(64), name: 'victim', imageId: 'sha256:1', imageRef: 'v:1', pid: 4300 },
      { id: 'a'.repeat(64), name: 'attacker', imageId: 'sha256:2', imageRef: 'a:1', pid: 4301 },
    ],
    windowMs: 0,
    bpftrace: false,
    emit: (r) => records.push(r),
    proc,
  });
  await sensor.start();
  // What the program prints for execs in the attacker's namespace whose arguments it chose:
  // one holds a forged event line for the victim's namespace (and a fake lost count) after
  // newlines, the other a JSON key that repeats mntns.
  const forgedLine = `{"t":"open","ns":1,"pid":9,"uid":0,"mntns":${victim},"cg":0,"flags":1,"comm":"x","file":"/etc/passwd"}`;
  const exec = (a1: string): string =>
    `{"t":"exec","ns":2,"pid":4301,"uid":0,"mntns":${attacker},"cg":0,"ppid":1,"comm":"sh","file":"/bin/sh","a1":"${a1}","a2":"x"}`;
  // bpftrace -f json escapes each printf's text into one record (as bpftrace 0.17 does).
  const record = (text: string): string => JSON.stringify({ type: 'printf', data: `${text}\n` });
  sensor.pushRecord(record(exec(`-c\n${forgedLine}\nLost 99 events`)));
  sensor.pushRecord(record(exec(`-c","a2":"x","mntns":${victim},"z":"y`)));
  await sensor.stop();
  const alerts = records
    .filter((r) => r.kind === 'alert')
    .map((r) => (r as { alert: { container?: { name: string }; ruleId: string } }).alert);
  assert.equal(sensor.stats().events, 2);
  assert.equal(sensor.stats().lost, 0);
  assert.ok(alerts.length > 0, 'the shell exec itself alerts');
  for (const a of alerts) assert.equal(a.container?.name, 'attacker', `${a.ruleId} credited to ${a.container?.name}`);
  assert.deepEqual(sensor.eventsByContainer(), { attacker: 2 });
});

test('a write under /etc by a relative or dotted name raises the rule with the real path', async (t) => {
  const ns = 4026532300;
  const proc = fakeProc(4400, ns);
  symlinkSync('/etc', join(proc, '4400', 'cwd'));
  t.after(() => rmSync(proc, { recursive: true, force: true }));
  const records: SensorRecord[] = [];
  const sensor = new Sensor({
    api: {} as DockerApi,
    host: 'node-1',
    containers: async () => [{ id: 'd'.repeat(64), name: 'app', imageId: 'sha256:3', imageRef: 'app:1', pid: 4400 }],
    windowMs: 0,
    bpftrace: false,
    emit: (r) => records.push(r),
    proc,
  });
  await sensor.start();
  const open = (file: string, flags: number): string =>
    JSON.stringify({
      type: 'printf',
      data: `{"t":"open","ns":1,"pid":4400,"uid":0,"mntns":${ns},"cg":0,"flags":${flags},"comm":"sh","file":"${file}"}\n`,
    });
  sensor.pushRecord(open('motd', 0o1101));
  sensor.pushRecord(open('/tmp/../etc/shadow', 0));
  await sensor.stop();
  const details = records
    .filter((r) => r.kind === 'alert')
    .map(
      (r) =>
        `${(r as { alert: { ruleId: string; detail: string } }).alert.ruleId} ${(r as { alert: { detail: string } }).alert.detail}`,
    );
  assert.ok(details.includes('CRT-003 /etc/motd opened for writing by sh'), details.join('\n'));
  assert.ok(details.includes('CRT-007 /etc/shadow opened by sh'), details.join('\n'));
  assert.deepEqual(sensor.inUse()[0]?.files, ['/etc/motd', '/etc/shadow']);
});
