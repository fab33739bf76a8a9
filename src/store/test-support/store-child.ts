/**
 * A separate process for the store tests (children.ts), printing JSON lines:
 *   open TARGET                       open (and so migrate) the store, print its version
 *   worker TARGET NAME LEASE WORK HB TOTAL
 *                                     print "ready", then claim "test" jobs until TOTAL jobs
 *                                     have finished; each takes WORK ms with a heartbeat every HB ms
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { schemaVersion } from '../migrate.js';
import { openBackend, openStore } from '../open-store.js';

const emit = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function open(target: string): Promise<void> {
  const store = await openStore(target);
  await store.close();
  const backend = await openBackend(target);
  emit({ event: 'opened', version: await schemaVersion(backend.db) });
  await backend.close();
}

async function worker(
  target: string,
  name: string,
  leaseMs: number,
  workMs: number,
  heartbeatMs: number,
  total: number,
): Promise<void> {
  const store = await openStore(target, { queue: { leaseMs, backoffBaseMs: 100 } });
  emit({ event: 'ready', worker: name });
  for (;;) {
    const lease = await store.jobs.claim({ worker: name, kinds: ['test'] });
    if (!lease) {
      const finished = [
        ...(await store.jobs.list({ state: 'succeeded' })),
        ...(await store.jobs.list({ state: 'failed' })),
      ];
      if (finished.length >= total) break;
      await sleep(50);
      continue;
    }
    emit({ event: 'claimed', job: lease.job.id, attempts: lease.job.attempts, worker: name });
    let current = lease;
    const started = Date.now();
    while (Date.now() - started < workMs) {
      await sleep(heartbeatMs);
      current = await store.jobs.heartbeat(current);
    }
    await store.jobs.complete(current, { worker: name, job: lease.job.id, payload: lease.job.payload });
    emit({ event: 'completed', job: lease.job.id, worker: name });
  }
  await store.close();
}

const [command, target, ...rest] = process.argv.slice(2);
try {
  if (command === 'open' && target) await open(target);
  else if (command === 'worker' && target && rest.length === 5) {
    const [name, lease, work, hb, total] = rest.map((v, i) => (i === 0 ? v : Number(v))) as [
      string,
      number,
      number,
      number,
      number,
    ];
    await worker(target, name, lease, work, hb, total);
  } else throw new Error('usage: store-child open TARGET | worker TARGET NAME LEASE_MS WORK_MS HEARTBEAT_MS TOTAL');
} catch (e) {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
}
