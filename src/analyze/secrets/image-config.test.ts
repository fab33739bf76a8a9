import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageConfig } from '../../image/index.js';
import { loadSecretConfig } from './config-file.js';
import { inspectImageConfig, redactImageConfig, scanImageConfig } from './image-config.js';

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
      // Each names the variable to rotate, not only where in the config it sits.
      ['config Env[1] (ENV GITHUB_TOKEN)', 'github-token'],
      ['config Env[2] (ENV DB_PASSWORD)', 'credential-variable'],
      ['config Labels["deploy.webhook"]', 'slack-webhook-url'],
      ['config Cmd', 'postgres-connection-url'],
      ['history[1] created_by (ARG NPM_TOKEN)', 'npm-access-token'],
      ['history[2] created_by (ARG DEPLOY_TOKEN)', 'credential-variable'],
      ['history[3] created_by (ARG SIGNING_KEY)', 'credential-variable'],
      ['history[4] created_by (ENV ADMIN_PASSWORD)', 'generic-password'],
      ['history[5] created_by (ENV LEGACY_SECRET)', 'credential-variable'],
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

test('redactImageConfig: every value the scanner reports is redacted in place, the rest is kept', () => {
  const red = redactImageConfig(config);
  const text = JSON.stringify(red);
  const secrets = [
    GH,
    'hunter22',
    'GHc18WLcIplnpDSI5Us0MJVi',
    'Zx81!kqPw2',
    'npm_UTNlyF7ocMEWRMAvTl2YIa1F4j5CEUtp50lK',
    'abc123',
    'k3y-Z81q',
    's3cr3t-Adm1n',
    'Zq81Lmx9',
    'Hq8vZ2mLx4',
  ];
  for (const s of secrets) assert.ok(!text.includes(s), s);
  const c = red.config;
  assert.deepEqual(c?.Env?.slice(0, 3), [
    'PATH=/usr/local/bin:/usr/bin',
    'GITHUB_TOKEN=ghp_************************',
    'DB_PASSWORD=hu******',
  ]);
  assert.equal(c?.Env?.[4], 'API_KEY=${API_KEY}');
  assert.equal(c?.Labels?.['org.opencontainers.image.source'], 'https://github.com/acme/app');
  assert.deepEqual(
    red.history?.map((h) => h.created_by),
    [
      '/bin/sh -c #(nop) ADD file:abc in / ',
      '|2 NPM_TOKEN=npm_************************ VERSION=1.2 /bin/sh -c npm ci',
      'RUN |1 DEPLOY_TOKEN=a***** /bin/sh -c ./fetch.sh # buildkit',
      'ARG SIGNING_KEY=k3******',
      '/bin/sh -c #(nop)  ENV ADMIN_PASSWORD=s3c*********',
      'ENV LEGACY_SECRET Zq******',
      'RUN /bin/sh -c curl -fsSL -u deploy:Hq******** https://nexus.acme.internal/app.tgz | tar xz # buildkit',
      'ENV APP_HOME=/app NODE_ENV=production',
      '|1 TOKEN= /bin/sh -c true',
    ],
  );
  // What is not a secret is untouched, and the original is not modified.
  assert.deepEqual(red.rootfs, config.rootfs);
  assert.equal(config.config?.Env?.[1], `GITHUB_TOKEN=${GH}`);
  // Redacting twice changes nothing more, and the redacted config has nothing left to report.
  assert.deepEqual(redactImageConfig(red), red);
});

test('redactImageConfig: a value found once is redacted wherever it repeats; label keys, quotes and other fields too', () => {
  const aws = 'AKIA22OZTXHHQPNDVW3L';
  const red = redactImageConfig({
    rootfs: { type: 'layers', diff_ids: [] },
    author: `ci ${GH}`,
    config: {
      Env: [`TOKEN="${GH}"`],
      Labels: { [`key-${aws}`]: 'x' },
      Cmd: ['run', '--token', GH],
      WorkingDir: `/build/${GH}`,
      Healthcheck: { Test: ['CMD-SHELL', `curl -H "Authorization: token ${GH}" localhost`] },
    },
    history: [{ created_by: `ENV TOKEN "${GH}"`, comment: `built with ${GH}` }],
  });
  const text = JSON.stringify(red);
  assert.ok(!text.includes(GH) && !text.includes(aws), text);
  assert.equal(red.config?.Env?.[0], 'TOKEN="ghp_************************"');
  assert.deepEqual(Object.keys(red.config?.Labels ?? {}), ['key-AKIA****************']);
  assert.equal(red.history?.[0]?.created_by, 'ENV TOKEN "ghp_************************"');
});

test('redactImageConfig: user rules and allow-rules apply, disabled categories do not', () => {
  const cfg: ImageConfig = {
    rootfs: { type: 'layers', diff_ids: [] },
    config: { Env: ['DB_PASSWORD=hunter22', 'INTERNAL=acme-9f8e7d6c5b4a', `GITHUB_TOKEN=${GH}`] },
  };
  const red = redactImageConfig(
    cfg,
    loadSecretConfig(
      [
        'builtin-rules: false',
        'disable-categories: [generic, vcs]',
        'rules:',
        "  - {id: acme, title: Acme key, severity: high, keywords: [acme-], regex: 'acme-[0-9a-f]{12}'}",
        'allow-rules:',
        "  - {id: test-password, regexes: ['^hunter22$']}",
      ].join('\n'),
    ),
  );
  assert.deepEqual(red.config?.Env, [
    'DB_PASSWORD=hunter22',
    'INTERNAL=acme*************',
    'GITHUB_TOKEN=ghp_************************',
  ]);
});

test('inspectImageConfig: the same findings and redaction as scanImageConfig and redactImageConfig, with one walk or two', () => {
  const configs = [
    undefined,
    loadSecretConfig("disable-categories: [generic]\nallow-rules:\n  - {id: env, paths: ['^config Env']}\n"),
    loadSecretConfig('builtin-rules: false\n'),
    loadSecretConfig('disable-rules: [github-token]\n'),
  ];
  for (const secretConfig of configs) {
    const both = inspectImageConfig(config, secretConfig);
    assert.deepEqual(both.secrets, scanImageConfig(config, secretConfig));
    assert.deepEqual(both.redacted, redactImageConfig(config, secretConfig));
  }
  // What the user disabled is still redacted, and no longer reported.
  const quiet = inspectImageConfig(config, loadSecretConfig('disable-rules: [github-token]\n'));
  assert.ok(!quiet.secrets.some((f) => f.ruleId === 'github-token'));
  assert.ok(!JSON.stringify(quiet.redacted).includes(GH));
});
