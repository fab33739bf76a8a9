import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, test } from 'node:test';
import { AdmissionController } from './admission-controller.js';
import { webhookCertificates } from './certificates.js';
import { defaultAdmissionConfig } from './config.js';
import { admissionReview, podOf } from './test-support/kubectl.js';
import { createWebhookServer, type WebhookServer } from './webhook-server.js';

let web: WebhookServer;
let port: number;
let ca: string;
const logged: { level: string; msg: string; fields: Record<string, unknown> }[] = [];

before(async () => {
  const certs = await webhookCertificates(['localhost'], { ips: ['127.0.0.1'] });
  ca = certs.caPem;
  web = createWebhookServer({
    controller: new AdmissionController({ config: defaultAdmissionConfig() }),
    cert: certs.certPem,
    key: certs.keyPem,
    log: (level, msg, fields = {}) => logged.push({ level, msg, fields }),
  });
  port = (await web.listen('127.0.0.1', 0)).port;
});

after(() => web.close(100));

function call(method: string, path: string, body?: Buffer | string, type = 'application/json') {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, ca, headers: body === undefined ? {} : { 'content-type': type } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('a review is answered; the wrong content type, bad JSON and an oversized body are 400 with the code', async () => {
  const ok = await call('POST', '/validate', JSON.stringify(admissionReview(await podOf(1), { uid: 'x' })));
  assert.equal(ok.status, 200);
  assert.equal(JSON.parse(ok.text).response.uid, 'x');
  const yaml = await call('POST', '/validate', 'apiVersion: admission.k8s.io/v1', 'application/yaml');
  assert.equal(yaml.status, 400);
  assert.equal(JSON.parse(yaml.text).code, 'ADMISSION_REVIEW_INVALID');
  const garbage = await call('POST', '/mutate', '{"apiVersion":');
  assert.equal(garbage.status, 400);
  assert.match(JSON.parse(garbage.text).message, /not JSON/);
  const huge = await call('POST', '/validate', Buffer.alloc(4 * 1024 * 1024, 0x20)).catch(() => ({
    status: 0,
    text: '',
  }));
  assert.ok(huge.status === 400 || huge.status === 0, `status ${huge.status}`);
  assert.ok(logged.some((l) => l.fields.code === 'ADMISSION_REVIEW_INVALID'));
});

test('unknown routes are 404; metrics count decisions', async () => {
  assert.equal((await call('GET', '/nope')).status, 404);
  assert.equal((await call('PUT', '/validate', '{}')).status, 404);
  const metrics = await call('GET', '/metrics');
  assert.match(metrics.text, /customs_admission_requests_total\{endpoint="validate",allowed="true"\} 1/);
  assert.match(metrics.text, /customs_admission_errors_total\{endpoint="validate",code="ADMISSION_REVIEW_INVALID"\}/);
});
