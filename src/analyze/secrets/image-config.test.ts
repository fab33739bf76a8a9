import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageConfig } from '../../image/index.js';
import { loadSecretConfig } from './config.js';
import { scanImageConfig } from './image-config.js';

const GH = 'ghp_ZoqyTCMwBRYejxmavjGxXSIAmSdK1DEzLDiy';

// History lines as written by Docker 26's classic builder and BuildKit (docker history --no-trunc).
const config: ImageConfig = {
  rootfs: { type: 'layers', diff_ids: [] },
  config: {
    Env: [
      'PATH=/usr/local/bin:/usr/bin',
      `GITHUB_TOKEN=${GH}`,
      'DB_PASSWORD=hunter22',
      'PASSWORD_FILE=/run/secrets/db',
      'API_KEY=${API_KEY}',
    ],
    Labels: {
      'org.opencontainers.image.source': 'https://github.com/acme/app',
      'deploy.webhook': 'https://hooks.slack.com/services/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',
    },
    Cmd: ['app', '--db', 'postgres://app:Zx81!kqPw2@db:5432/app'],
    Entrypoint: ['/entrypoint.sh'],
  },
  history: [
    { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
    { created_by: '|2 NPM_TOKEN=npm_UTNlyF7ocMEWRMAvTl2YIa1F4j5CEUtp50lK VERSION=1.2 /bin/sh -c npm ci' },
    { created_by: 'RUN |1 DEPLOY_TOKEN=abc123 /bin/sh -c ./fetch.sh # buildkit' },
    { created_by: 'ARG SIGNING_KEY=k3y-Z81q' },
    { created_by: '/bin/sh -c #(nop)  ENV ADMIN_PASSWORD=s3cr3t-Adm1n' },
    { created_by: 'ENV LEGACY_SECRET Zq81Lmx9' },
    {
      created_by:
        'RUN /bin/sh -c curl -fsSL -u deploy:Hq8vZ2mLx4 https://nexus.acme.internal/app.tgz | tar xz # buildkit',
    },
    { created_by: 'ENV APP_HOME=/app NODE_ENV=production' },
    { created_by: '|1 TOKEN= /bin/sh -c true' },
  ],
};

test('Env, Labels, Cmd and history are scanned, with locations; values redacted', () => {
  const found = scanImageConfig(config);
  assert.deepEqual(
    found.map((f) => [f.location, f.ruleId]),
    [
      ['config Env[1]', 'github-token'],
      ['config Env[2]', 'credential-variable'],
      ['config Labels["deploy.webhook"]', 'slack-webhook-url'],
      ['config Cmd', 'postgres-connection-url'],
      ['history[1] created_by', 'npm-access-token'],
      ['history[2] created_by', 'credential-variable'],
      ['history[3] created_by', 'credential-variable'],
      ['history[4] created_by', 'generic-password'],
      ['history[5] created_by', 'credential-variable'],
      ['history[6] created_by', 'curl-user-password'],
    ],
  );
  for (const f of found) {
    assert.ok(f.match.includes('*'), f.match);
    assert.equal(f.line, undefined);
  }
  assert.equal(found[1]?.match, 'DB_PASSWORD=hu******');
  for (const secret of ['hunter22', 'abc123', 'k3y-Z81q', 's3cr3t-Adm1n', 'Zq81Lmx9', 'Hq8vZ2mLx4']) {
    assert.ok(!found.some((f) => f.match.includes(secret)), secret);
  }
});

test('allow-rules and disabled categories apply to the config too', () => {
  const quiet = scanImageConfig(
    config,
    loadSecretConfig("disable-categories: [generic]\nallow-rules:\n  - {id: env, paths: ['^config Env']}\n"),
  );
  assert.ok(!quiet.some((f) => f.location.startsWith('config Env')));
  assert.ok(!quiet.some((f) => f.ruleId === 'credential-variable'));
  assert.ok(quiet.some((f) => f.ruleId === 'npm-access-token'));
});

test('an image without config or history has no findings', () => {
  assert.deepEqual(scanImageConfig({ rootfs: { type: 'layers', diff_ids: [] } }), []);
});
