import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import type { DockerApi } from './docker-api.js';
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
