import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFalcoLine } from './alerts.js';
import { containerIdFromCgroup } from './attribution.js';
import { Baselines } from './baseline.js';
import {
  bpftraceProgram,
  EVENT_TYPES,
  FOLD_INTERVAL_S,
  FOLD_RESET_TICKS,
  FOLDED_CLEARED,
  FOLDED_TYPES,
} from './bpftrace-script.js';
import { type KernelEvent, lostEvents, opensForWrite, parseEventLine } from './events.js';
import { RULES } from './rules.js';
import { supervise } from './supervisor.js';

const ev = (e: Partial<KernelEvent> & Pick<KernelEvent, 'type'>): KernelEvent => ({
  ns: 1,
  pid: 10,
  uid: 0,
  mntns: 4026532000,
  cgroup: 0,
  comm: 'x',
  ...e,
});
const fired = (e: KernelEvent, learning = false, known = false): string[] =>
  RULES.filter((r) => r.match(e, { learning, knownExec: known, knownDestination: known }) !== undefined).map(
    (r) => r.id,
  );

test('event lines: JSON, and the fallback when a string held a quote or a newline', () => {
  const plain = parseEventLine(
    '{"t":"exec","ns":5,"pid":7,"uid":0,"mntns":99,"cg":3,"ppid":6,"comm":"bash","file":"/bin/sh","a1":"-c","a2":"id"}',
  );
  assert.deepEqual(plain?.args, ['-c', 'id']);
  assert.equal(plain?.ppid, 6);
  const quoted = parseEventLine(
    '{"t":"exec","ns":5,"pid":7,"uid":0,"mntns":99,"cg":3,"ppid":6,"comm":"bash","file":"/bin/sh","a1":"-c","a2":"echo "hi" > /etc/x"}',
  );
  assert.deepEqual(quoted?.args, ['-c', 'echo "hi" > /etc/x']);
  const send = parseEventLine(
    '{"t":"send","ns":1,"pid":2,"uid":0,"mntns":3,"cg":0,"comm":"nc","data":"{"id":1,"method":"mining.subscribe"}\n"}',
  );
  assert.equal(send?.data, '{"id":1,"method":"mining.subscribe"}\n');
  assert.equal(parseEventLine('Attaching 12 probes...'), undefined);
  assert.equal(parseEventLine('{"t":"bogus","pid":1,"mntns":2}'), undefined);
  assert.equal(parseEventLine('{"t":"open","ns":1,"pid":2'), undefined);
  assert.equal(lostEvents('Lost 17 events'), 17);
});

test('every event type has a probe in the program, which skips the host mount namespace', () => {
  const p = bpftraceProgram(4026531832);
  for (const t of EVENT_TYPES) assert.ok(p.includes(`\\"t\\":\\"${t}\\"`), t);
  assert.ok(p.includes('mnt_ns->ns.inum != 4026531832'));
  // The e2e tests (test/e2e/sensor-behaviour.test.ts) load it into the kernel.
  assert.equal(p.split('printf(').length - 1, 10);
});

/** The body of the probe (or probes) whose header line starts with `header`. */
function probe(program: string, header: string): string {
  const at = program.indexOf(`\n${header}`);
  assert.ok(at >= 0, header);
  const open = program.indexOf('\n{\n', at);
  const close = program.indexOf('\n}\n', open);
  return program.slice(open, close);
}

test('repeated opens, connects, accepts and sends are folded in the kernel; exec and the rest arrive one by one', () => {
  const p = bpftraceProgram(4026531832);
  // Each folded type: printed the first time its key (what the rules read) is seen, else counted.
  const keys: Record<string, RegExp> = {
    'tracepoint:syscalls:sys_enter_openat': /@seen_open\[\$m, args->flags, comm, \$f\]/,
    'tracepoint:sock:inet_sock_set_state': /@seen_connect\[\$m, args->dport, comm, \$a\]/,
    'tracepoint:syscalls:sys_enter_write': /@seen_send\[\$m, comm, \$d\]/,
    'tracepoint:syscalls:sys_enter_sendto': /@seen_send\[\$m, comm, \$d\]/,
    'tracepoint:syscalls:sys_exit_accept4': /@seen_accept\[\$m, \$l, comm, \$a\]/,
  };
  for (const [header, key] of Object.entries(keys)) {
    const body = probe(p, header);
    assert.match(body, key, header);
    assert.match(body, /@folded\[\$m, cgroup, "(open|connect|accept|send)"\] = count\(\);/, header);
  }
  for (const header of [
    'tracepoint:syscalls:sys_enter_execve',
    'tracepoint:sched:sched_process_exec',
    'tracepoint:syscalls:sys_enter_setuid',
    'tracepoint:syscalls:sys_enter_capset',
  ])
    assert.doesNotMatch(probe(p, header), /@seen|@folded/, header);
  // Every interval: what was printed is forgotten (so it is printed again) and the counts are printed.
  const tick = probe(p, `interval:s:${FOLD_INTERVAL_S}`);
  for (const t of FOLDED_TYPES) assert.ok(tick.includes(`clear(@seen_${t});`), t);
  // The counts are cleared only every FOLD_RESET_TICKS intervals, right after a print and
  // followed by the line that tells the sensor.
  assert.match(
    tick,
    new RegExp(
      `print\\(@folded\\);[^]*if \\(@ticks >= ${FOLD_RESET_TICKS}\\) \\{[^}]*clear\\(@folded\\);\\s*printf\\("${FOLDED_CLEARED}\\\\n"\\);`,
    ),
  );
  assert.equal(tick.split('clear(@folded)').length - 1, 1);
});

test('rules: each fires on its behaviour and not on a neighbour', () => {
  assert.deepEqual(fired(ev({ type: 'exec', file: '/bin/bash', args: ['-c', 'id'] }), true), ['CRT-001']);
  assert.deepEqual(fired(ev({ type: 'exec', file: '/usr/bin/apt-get', args: ['install', 'nmap'] }), true), ['CRT-002']);
  assert.deepEqual(fired(ev({ type: 'exec', file: '/usr/bin/bashful' }), true), []);
  assert.deepEqual(fired(ev({ type: 'open', file: '/etc/passwd', flags: 0o1 }), true), ['CRT-003']);
  assert.deepEqual(fired(ev({ type: 'open', file: '/etc/passwd', flags: 0o100000 }), true), []);
  assert.deepEqual(fired(ev({ type: 'open', file: '/etcetera/x', flags: 0o101 }), true), []);
  assert.deepEqual(fired(ev({ type: 'open', file: '/etc/shadow', flags: 0 }), true), ['CRT-007']);
  assert.deepEqual(fired(ev({ type: 'open', file: '/root/.ssh/id_ed25519', flags: 0 }), true), ['CRT-007']);
  assert.deepEqual(fired(ev({ type: 'connect', addr: '10.0.0.1', port: 443 }), true), []);
  assert.deepEqual(fired(ev({ type: 'connect', addr: '10.0.0.1', port: 443 }), false, false), ['CRT-004']);
  assert.deepEqual(fired(ev({ type: 'connect', addr: '10.0.0.1', port: 443 }), false, true), []);
  assert.deepEqual(fired(ev({ type: 'send', data: '{"id": 1, "method": "mining.authorize", "params": []}' }), true), [
    'CRT-005',
  ]);
  assert.deepEqual(fired(ev({ type: 'send', data: '{"id": 1, "method": "eth_call"}' }), true), []);
  assert.deepEqual(fired(ev({ type: 'exec', file: '/tmp/x', args: ['-o', 'stratum+tcp://pool:3333'] }), true), [
    'CRT-005',
  ]);
  assert.deepEqual(fired(ev({ type: 'privesc', uid: 1000, euid: 0, file: '/usr/bin/su' }), true), ['CRT-006']);
  assert.deepEqual(fired(ev({ type: 'setuid', uid: 1000, target: 0 }), true), ['CRT-006']);
  assert.deepEqual(fired(ev({ type: 'setuid', uid: 0, target: 0 }), true), []);
  assert.deepEqual(fired(ev({ type: 'exec', file: '/usr/bin/env' }), false, false), ['CRT-008']);
  assert.equal(opensForWrite(0o2), true);
  assert.equal(opensForWrite(0o1000), true);
  assert.equal(opensForWrite(0o2000000), false);
});

test('a baseline learns during its window, then reports deviations', () => {
  let now = 1000;
  const b = new Baselines(60_000, () => now);
  const c1 = ev({ type: 'connect', addr: '10.0.0.5', port: 5432 });
  assert.equal(b.observe('img', c1).learning, true);
  now += 61_000;
  assert.deepEqual(b.observe('img', c1), { learning: false, knownExec: true, knownDestination: true });
  assert.equal(b.observe('img', ev({ type: 'connect', addr: '10.0.0.6', port: 5432 })).knownDestination, false);
  // Another image learns on its own clock.
  assert.equal(b.observe('other', c1).learning, true);
  const copy = new Baselines(60_000, () => now);
  copy.load(JSON.parse(JSON.stringify(b.toJson())));
  assert.equal(copy.observe('img', c1).knownDestination, true);
  assert.equal(copy.observe('img', ev({ type: 'connect', addr: '1.1.1.1', port: 53 })).knownDestination, false);
});

test('accepts carry their peer and local port; the baseline learns them as sources', () => {
  const e = parseEventLine(
    '{"t":"accept","ns":1,"pid":2,"uid":0,"mntns":3,"cg":4,"fd":5,"port":52872,"lport":8080,"comm":"nginx","addr":"10.0.0.9"}',
  );
  assert.equal(e?.addr, '10.0.0.9');
  assert.equal(e?.port, 52872);
  assert.equal(e?.lport, 8080);
  const now = 1000;
  const b = new Baselines(60_000, () => now);
  if (e) b.observe('img', e);
  // A second client port from the same peer is the same source.
  b.observe('img', ev({ type: 'accept', addr: '10.0.0.9', port: 40000, lport: 8080 }));
  b.observe('img', ev({ type: 'accept', addr: '::1', port: 40001, lport: 9090 }));
  // An accept without a peer (an old program) teaches nothing.
  b.observe('img', ev({ type: 'accept' }));
  const json = b.toJson();
  assert.deepEqual(json.images[0]?.sources, ['10.0.0.9:8080', '::1:9090']);
  const copy = new Baselines(60_000, () => now);
  copy.load(JSON.parse(JSON.stringify(json)));
  assert.deepEqual(copy.toJson().images[0]?.sources, ['10.0.0.9:8080', '::1:9090']);
  // A baseline saved before sources existed still loads.
  copy.load({ windowMs: 1, images: [{ imageId: 'old', since: 0, execs: [], destinations: [] }] });
  assert.deepEqual(copy.get('old')?.sources.size, 0);
});

test('cgroup paths of Docker, systemd and CRI name the container', () => {
  const id = 'a'.repeat(64);
  assert.equal(containerIdFromCgroup(`12:memory:/docker/${id}\n0::/\n`), id);
  assert.equal(containerIdFromCgroup(`0::/system.slice/docker-${id}.scope\n`), id);
  assert.equal(containerIdFromCgroup(`0::/kubepods/burstable/podx/cri-containerd-${id}.scope\n`), id);
  assert.equal(containerIdFromCgroup('0::/user.slice/session-1.scope\n'), undefined);
});

test('Falco lines: documented fields, priorities mapped, bad lines are errors not throws', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const ok = parseFalcoLine(
    JSON.stringify({
      rule: 'Read sensitive file untrusted',
      priority: 'Warning',
      time: '2026-02-03T04:05:06Z',
      output_fields: { 'container.id': 'abc' },
    }),
    'h',
    now,
  );
  assert.equal(ok.alert?.severity, 'medium');
  assert.equal(ok.alert?.ruleId, 'falco:read-sensitive-file-untrusted');
  assert.equal(ok.containerId, 'abc');
  assert.equal(ok.alert?.time, '2026-02-03T04:05:06.000Z');
  assert.match(parseFalcoLine('[1,2]', 'h', now).error ?? '', /not a JSON object/);
  assert.match(parseFalcoLine('{"priority":"Error"}', 'h', now).error ?? '', /no "rule"/);
  assert.match(parseFalcoLine('{', 'h', now).error ?? '', /not JSON/);
  assert.equal(
    parseFalcoLine(JSON.stringify({ rule: 'r', priority: 'Emergency' }), 'h', now).alert?.severity,
    'critical',
  );
});

test('the supervisor restarts a child that exits, with a doubling delay up to the cap', async () => {
  const delays: number[] = [];
  let lines = 0;
  const s = supervise({
    command: process.execPath,
    args: ['-e', 'console.log("hello"); process.exit(3)'],
    onLine: () => {
      lines++;
    },
    onState: (st) => {
      if (st.event === 'exited' && st.nextDelayMs !== undefined) delays.push(st.nextDelayMs);
    },
    initialMs: 10,
    maxMs: 40,
  });
  while (delays.length < 5) await new Promise((r) => setTimeout(r, 10));
  await s.stop();
  assert.deepEqual(delays.slice(0, 5), [10, 20, 40, 40, 40]);
  assert.ok(s.restarts() >= 5);
  assert.ok(lines >= 5);
});
