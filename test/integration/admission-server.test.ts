/**
 * `customs admit --server URL --token T` against the real server app: the
 * verdict the server holds for a digest, the scan queued for an unscanned
 * image, the decision recorded as an admission.decision event; the routes are
 * in the server's OpenAPI document, which stays valid.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ADMISSION_EVENT, ServerClient } from '../../src/admission/index.js';
import { EVENT_TYPES } from '../../src/server/index.js';
import type { Digest } from '../../src/core/index.js';
import { type ApiHarness, apiHarness } from '../../src/server/test-support/api-harness.js';
import { validateDocument } from '../../src/server/test-support/openapi-check.js';
import { sqliteFixture } from '../../src/store/test-support/harness.js';

const fixture = sqliteFixture();
let h: ApiHarness;
let base: string;
const never = new AbortController().signal;
const D1 = `sha256:${'1'.repeat(64)}` as Digest;
const D2 = `sha256:${'2'.repeat(64)}` as Digest;

before(async () => {
  h = await apiHarness(fixture);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});

after(async () => {
  await h.close();
  await fixture.teardown();
});

test('verdicts: the latest one the server holds; none for an image it never saw', async () => {
  const client = new ServerClient(base, h.tokens.ci);
  assert.equal(await client.latest(D1, never), undefined);
  await h.store.verdicts.record({ imageDigest: D1, status: 'fail', document: {} });
  await h.store.verdicts.record({ imageDigest: D1, status: 'pass', document: {} });
  assert.equal(await client.latest(D1, never), 'pass');
  assert.equal(await client.latest(D2, never), undefined);
});

test('a scan is queued once per digest, pinned to it; a decision becomes an admission.decision event', async () => {
  const client = new ServerClient(base, h.tokens.ci);
  await client.enqueue('ghcr.io/acme/app:1', D1);
  await client.enqueue('ghcr.io/acme/app:latest', D1);
  const jobs = await h.store.jobs.list();
  assert.equal(jobs.length, 1);
  assert.deepEqual(jobs[0]?.payload, { image: `ghcr.io/acme/app@${D1}` });
  await client.postEvent({
    type: 'admission.decision',
    time: '2026-01-01T00:00:00.000Z',
    uid: 'u',
    endpoint: 'validate',
    operation: 'CREATE',
    kind: 'Pod',
    namespace: 'shop',
    name: 'app',
    dryRun: false,
    allowed: false,
    images: [{ image: 'ghcr.io/acme/app:1', digest: D1 }],
    results: [],
    ruleSetVersion: 'v',
    durationMs: 1,
  });
  // One name on both sides of the layer-8 wall (admission cannot import server/event-types.ts).
  assert.equal(ADMISSION_EVENT, EVENT_TYPES.admissionDecision);
  const events = await h.store.events.list({ type: EVENT_TYPES.admissionDecision });
  assert.equal(events.length, 1);
  assert.equal(events[0]?.subject, D1);
  assert.equal((events[0]?.data as { namespace?: string } | undefined)?.namespace, 'shop');
});

test('a viewer token may not queue scans; the OpenAPI document lists the admission routes and is valid', async () => {
  await assert.rejects(new ServerClient(base, h.tokens.viewer).enqueue('ghcr.io/acme/app:1', D2), /HTTP 403/);
  const doc = (await h.call('none', { method: 'GET', url: '/api/openapi.json' })).json() as {
    paths: Record<string, unknown>;
  };
  assert.ok(doc.paths['/api/v1/admission/decisions']);
  assert.ok(doc.paths['/api/v1/admission/scans']);
  await validateDocument(doc);
});
