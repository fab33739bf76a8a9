/**
 * The kernel folds repeated events (src/runtime/bpftrace-script.ts "Folding"):
 * thousands of identical opens in a container become a few lines, yet every one
 * is counted for the container, and the rules still see the first of each. Needs
 * root and bpftrace, like the other sensor tests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testContainers } from '../support/containers.js';
import { sensorTail, startSensor } from '../support/sensor-process.js';

const OPENS = 3000;

test('repeated opens are folded into counts in the kernel: all counted, few lines, rules still fire', {
  timeout: 120_000,
}, async (t) => {
  const tc = await testContainers();
  t.after(() => tc.cleanup());
  const name = tc.name('fold');
  const id = await tc.start(['--name', name, '--network', 'none']);
  const sensor = await startSensor(['--window', '0', '--duration', '90s', '--no-store']);
  t.after(() => sensor.stop());
  // One process: OPENS reads of one file and of a credentials file, all within a second or two.
  await tc.exec(
    id,
    `perl -e 'for (1..${OPENS}) { open(my $f, "<", "/etc/hostname") or die; close $f; open(my $s, "<", "/etc/shadow") or die; close $s; }'`,
  );
  const alert = await sensor.waitFor(
    (r) => r.kind === 'alert' && r.ruleId === 'CRT-007' && (r.container as { id?: string } | undefined)?.id === id,
  );
  assert.ok(alert.length > 0, 'the first read of /etc/shadow still raises CRT-007');
  // The counts are printed every second: let the last one arrive.
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(await sensor.stop(), 0, sensorTail(sensor.logs));
  const byContainer = sensor.logs.find((l) => l.msg === 'events by container')?.data as Record<string, number>;
  const stats = sensor.logs.find((l) => l.msg === 'sensor stopped')?.data as {
    lines: number;
    events: number;
    folded: number;
    lost: number;
  };
  // Every open is counted for the container (plus perl's and the exec's own events).
  assert.ok((byContainer[name] ?? 0) >= 2 * OPENS, `${JSON.stringify(byContainer)} ${JSON.stringify(stats)}`);
  // (No check of stats.lost: it counts the whole node's lines, and other processes on a
  // busy machine can fill the perf buffer; the count above is what must be whole.)
  // Folded: of the container's events, all but a few (the first of each file in a second,
  // and the start-up of sh and perl) were counts, not lines. Other processes on the machine
  // add lines of their own, so the container's are compared, not the totals.
  const folded = sensor.logs.find((l) => l.msg === 'folded by container')?.data as Record<string, number>;
  const lines = (byContainer[name] ?? 0) - (folded[name] ?? 0);
  assert.ok((folded[name] ?? 0) >= 2 * OPENS - 50, `${JSON.stringify(folded)} ${JSON.stringify(stats)}`);
  assert.ok(lines < 300, `${lines} lines for ${byContainer[name]} events`);
  // The repeats of one key do not raise the alert again (nor were they lines).
  const shadow = sensor.records.filter(
    (r) => r.kind === 'alert' && r.ruleId === 'CRT-007' && (r.container as { id?: string } | undefined)?.id === id,
  );
  assert.ok(shadow.length <= 3, JSON.stringify(shadow));
});
