/**
 * `customs serve` runs the notifier: a subscription made over HTTP receives
 * a signed delivery for an event appended to the server's store, and a stop
 * ends the notifier with the server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { EVENT_TYPES } from '../event-types.js';
import { startServer } from '../serve.js';
import { SIGNATURE_HEADER, verifySignature } from './signature.js';
import { startReceiver } from './test-support/receiver.js';

test('customs serve delivers events to subscriptions made through its API', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'customs-serve-notify-'));
  const rx = await startReceiver();
  const server = await startServer({
    listen: '127.0.0.1:0',
    dataDir: dir,
    say: () => {},
    logStream: new Writable({ write: (_c, _e, cb) => cb() }),
    notifier: { pollMs: 50 },
  });
  try {
    const secret = 'a-secret-of-enough-length';
    const res = await fetch(`${server.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ops', url: rx.url, secret }),
    });
    assert.equal(res.status, 201, await res.text());
    await server.store.events.append({
      type: EVENT_TYPES.scanFinished,
      subject: 'sha256:ab',
      data: { counts: { high: 2 } },
    });
    const deadline = Date.now() + 10_000;
    while (rx.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [r] = rx.received;
    assert.ok(r, 'no delivery within 10 s');
    assert.equal(verifySignature(secret, r.body, r.headers[SIGNATURE_HEADER] as string), true);
    assert.equal((JSON.parse(r.body.toString()) as { summary: string }).summary, 'Scan finished for sha256:ab: 2 high');
  } finally {
    await server.stop();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
