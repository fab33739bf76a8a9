import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, retryAfterMs } from './backoff.js';

test('backoff doubles per attempt, is capped, and jitters within the upper half', () => {
  const opts = { baseMs: 1000, maxMs: 10_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 9].map((a) => backoffDelay(opts, a, () => 1)),
    [1000, 2000, 4000, 8000, 10_000, 10_000],
  );
  assert.equal(
    backoffDelay(opts, 3, () => 0),
    2000,
  );
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(opts, 3);
    assert.ok(d >= 2000 && d <= 4000, String(d));
  }
});

test('Retry-After in seconds or as an HTTP date; anything else is ignored', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  assert.equal(retryAfterMs('120', now), 120_000);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 12:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 11:00:00 GMT', now), 0);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});
