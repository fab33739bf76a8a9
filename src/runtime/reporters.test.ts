import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import type { RuntimeAlert } from './alerts.js';
import { RUNTIME_REPORT_SCHEMA, type RuntimeReport, type SensorStats, zeroSensorStats } from './payload.js';
import { MAX_HELD, serverReporter } from './reporters.js';

const stats: SensorStats = { ...zeroSensorStats(), lines: 1, events: 1, alerts: 1 };
const alert: RuntimeAlert = {
  ruleId: 'CRT-001',
  ruleName: 'shell-in-container',
  severity: 'medium',
  title: 'Shell spawned in a container',
  detail: '/bin/sh',
  time: '2026-01-01T00:00:00.000Z',
  host: 'n1',
  source: 'kernel',
  container: { id: 'c1', name: 'web', imageId: 'sha256:1', imageRef: 'web:1' },
};

test('the server reporter POSTs the report with the bearer token, and keeps the batch when the POST fails', async (t) => {
  const got: { auth?: string; path?: string; body: RuntimeReport }[] = [];
  let fail = true;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fail) {
        fail = false;
        res.writeHead(503).end();
        return;
      }
      got.push({
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
        ...(req.url ? { path: req.url } : {}),
        body: JSON.parse(Buffer.concat(chunks).toString()) as RuntimeReport,
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const rep = serverReporter(`http://127.0.0.1:${port}`, 's3cret', 'n1', () => new Date('2026-01-01T00:00:05Z'));
  rep.alert(alert);
  await assert.rejects(rep.flush(stats, []), /HTTP 503/);
  await rep.flush(stats, [{ containerId: 'c1', imageId: 'sha256:1', files: ['/bin/sh'] }]);
  assert.equal(got.length, 1);
  assert.equal(got[0]?.auth, 'Bearer s3cret');
  assert.equal(got[0]?.path, '/api/v1/runtime/reports');
  assert.equal(got[0]?.body.schema, RUNTIME_REPORT_SCHEMA);
  assert.deepEqual(got[0]?.body.alerts, [alert], 'the alert of the failed POST is sent again');
  assert.equal(got[0]?.body.inUse?.[0]?.files[0], '/bin/sh');
  await rep.flush(stats, []);
  assert.deepEqual(got[1]?.body.alerts, [], 'sent alerts are not sent twice');
});

test("a refused report says the server's reason, and what is held while refused stays bounded", async (t) => {
  let posts = 0;
  const server = createServer((req, res) => {
    posts++;
    req.resume();
    req.on('end', () => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'RUNTIME_NODE_OWNED', message: 'node "n1" reports with another token', hint: 'x' },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const rep = serverReporter(`http://127.0.0.1:${port}`, 'other', 'n1', () => new Date('2026-01-01T00:00:05Z'));
  for (let i = 0; i < MAX_HELD + 25; i++) rep.alert({ ...alert, detail: `/bin/sh ${i}` });
  await assert.rejects(
    rep.flush(stats, []),
    (e: Error) =>
      /HTTP 403: node "n1" reports with another token \[RUNTIME_NODE_OWNED\]/.test(e.message) &&
      e.message.includes(`${MAX_HELD} alerts and 0 actions held`) &&
      e.message.includes('25 older ones dropped'),
  );
  assert.equal(posts, 1);
});
