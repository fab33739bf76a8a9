/**
 * The app's contract for route plugins (context.ts): `config.access` defaults
 * to admin, `public` and `hook` routes run without a token (a hook checks its
 * own secret), and nothing secret reaches the JSON logs — not the bearer
 * token, not a hook's secret header, not credential fields in bodies that a
 * handler logs.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { sqliteFixture } from '../../store/test-support/harness.js';
import type { RoutePlugin } from '../context.js';
import { type ApiHarness, apiHarness } from '../test-support/api-harness.js';

const fixture = sqliteFixture();
const open: ApiHarness[] = [];
after(async () => {
  for (const h of open) await h.close();
  await fixture.teardown();
});

/** Routes of each access kind, as another route plugin would declare them. */
const probe: RoutePlugin = async (app, { ctx }) => {
  app.get('/probe/default', async () => ({ ok: true }));
  app.get('/probe/public', { config: { access: 'public' } }, async (request) => ({ actor: request.actor?.name }));
  app.post('/probe/hook', { config: { access: 'hook' } }, async (request, reply) => {
    if (request.headers['x-customs-hook-secret'] !== 'hook-secret-value') return reply.code(401).send({ no: true });
    request.actor = { name: 'hook:probe', address: request.ip };
    // A careless handler logging what it got: the redaction still keeps the secrets out.
    ctx.log.info({ body: request.body, headers: request.headers }, 'hook received');
    return { actor: request.actor.name };
  });
};

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

test('config.access: admin by default, public and hook need no token; hook changes are audited under the hook', async () => {
  const h = await apiHarness(fixture, { app: { log: false, plugins: [{ name: 'probe', plugin: probe }] } });
  open.push(h);
  assert.equal((await h.call('none', { method: 'GET', url: '/probe/default' })).statusCode, 401);
  assert.equal((await h.call('ci', { method: 'GET', url: '/probe/default' })).statusCode, 403);
  assert.equal((await h.call('admin', { method: 'GET', url: '/probe/default' })).statusCode, 200);
  const pub = await h.call('none', { method: 'GET', url: '/probe/public' });
  assert.deepEqual(JSON.parse(pub.body), { actor: 'anonymous' });
  const hook = await h.call('none', {
    method: 'POST',
    url: '/probe/hook',
    headers: { 'x-customs-hook-secret': 'hook-secret-value' },
    payload: { events: [] },
  });
  assert.deepEqual(JSON.parse(hook.body), { actor: 'hook:probe' });
  assert.equal((await h.call('none', { method: 'POST', url: '/probe/hook', payload: {} })).statusCode, 401);
  const audit = await h.store.audit.list();
  assert.deepEqual(
    audit.map((e) => [e.actor, e.action]),
    [['hook:probe', 'POST /probe/hook']],
  );
});

test('JSON logs hold neither tokens, hook secrets nor credentials', async () => {
  const log = capture();
  const h = await apiHarness(fixture, {
    app: { log: { stream: log.stream, level: 'debug' }, plugins: [{ name: 'probe', plugin: probe }] },
  });
  open.push(h);
  // The context's log is the app's in `customs serve`; here it writes to the same capture.
  Object.assign(h.ctx.log, {
    info: (obj: object, msg?: string) => h.app.log.info(obj, msg),
  });
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await h.call('admin', {
    method: 'POST',
    url: '/api/v1/registries',
    payload: { name: 'r', url: 'https://r.example', credentials: { username: 'u', password } },
  });
  await h.call('none', {
    method: 'POST',
    url: '/probe/hook',
    headers: { 'x-customs-hook-secret': 'hook-secret-value', authorization: `Bearer ${h.tokens.viewer}` },
    payload: { token: 'body-token-value', credentials: { password } },
  });
  await h.call('admin', { method: 'GET', url: '/api/v1/images?cursor=not-a-cursor' });
  const text = log.text();
  assert.match(text, /"msg":"hook received"/);
  assert.match(text, /"msg":"request completed"/);
  for (const secret of [h.tokens.admin, h.tokens.viewer, password, 'hook-secret-value', 'body-token-value']) {
    assert.ok(!text.includes(secret), `${secret.slice(0, 8)}… reached the logs`);
  }
});
