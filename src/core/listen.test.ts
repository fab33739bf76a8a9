import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { CustomsError } from './errors.js';
import { listenOn } from './listen.js';

test('listenOn: the address it got; an address in use is SERVER_LISTEN_FAILED naming it', async () => {
  const first = createServer();
  const got = await listenOn(first, '127.0.0.1', 0);
  assert.equal(got.address, '127.0.0.1');
  assert.ok(got.port > 0);
  const second = createServer();
  try {
    await assert.rejects(
      listenOn(second, '127.0.0.1', got.port),
      (e: unknown) =>
        e instanceof CustomsError &&
        e.code === 'SERVER_LISTEN_FAILED' &&
        e.message.includes(`127.0.0.1:${got.port}`) &&
        /EADDRINUSE/.test(e.message),
    );
  } finally {
    second.close();
    await new Promise((r) => first.close(r));
  }
});

test('listenOn: a host that is not this machine is SERVER_LISTEN_FAILED', async () => {
  const s = createServer();
  // TEST-NET-1 (RFC 5737): never an address of this machine.
  await assert.rejects(
    listenOn(s, '192.0.2.1', 0),
    (e: unknown) => e instanceof CustomsError && e.code === 'SERVER_LISTEN_FAILED',
  );
  s.close();
});
