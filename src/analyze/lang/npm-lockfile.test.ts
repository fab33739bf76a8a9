import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzerTester } from '../test-support/analyzer-tester.js';
import { npmLockfile } from './npm-lockfile.js';
import { parseDepPath, pnpmLock } from './pnpm-lock.js';
import { descriptorName, yarnLock } from './yarn-lock.js';

const info = { size: 10, mode: 0o644 };
const want = (a: { wants: typeof npmLockfile.wants }, p: string): boolean => a.wants(p, { path: p, ...info });

// Shapes follow npm's package-lock.json(5) documentation (lockfileVersion 1, 2, 3).
const v3 = {
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': {
      name: 'app',
      version: '1.0.0',
      dependencies: { express: '^4.18.2' },
      devDependencies: { mocha: '^10' },
    },
    'node_modules/express': {
      version: '4.18.2',
      resolved: 'https://registry.npmjs.org/express/-/express-4.18.2.tgz',
      license: 'MIT',
    },
    'node_modules/mocha': { version: '10.2.0', dev: true, license: 'MIT' },
    'node_modules/@types/node': {
      version: '20.8.0',
      dev: true,
      optional: true,
    },
    'node_modules/express/node_modules/debug': { version: '2.6.9' },
    'node_modules/debug': { version: '2.6.9', dev: true },
    'node_modules/string-width-cjs': { name: 'string-width', version: '4.2.3' },
    'node_modules/my-lib': { resolved: 'packages/my-lib', link: true },
    'packages/my-lib': { name: 'my-lib', version: '0.3.0' },
    'node_modules/broken': { resolved: 'x' },
  },
};

test('wants lockfiles outside node_modules only', () => {
  assert.equal(want(npmLockfile, 'srv/app/package-lock.json'), true);
  assert.equal(want(npmLockfile, 'package-lock.json'), true);
  assert.equal(want(npmLockfile, 'srv/app/npm-shrinkwrap.json'), true);
  assert.equal(want(npmLockfile, 'srv/app/node_modules/x/package-lock.json'), false);
  assert.equal(want(npmLockfile, 'srv/app/node_modules/.package-lock.json'), false);
  assert.equal(want(npmLockfile, 'srv/app/my-package-lock.json'), false);
  assert.equal(want(yarnLock, 'srv/app/yarn.lock'), true);
  assert.equal(want(pnpmLock, 'srv/app/pnpm-lock.yaml'), true);
});

test('lockfile v3 packages map: nesting, aliases, links, dev/optional flags, root skipped', async () => {
  const r = await analyzerTester(npmLockfile).file('app/package-lock.json', JSON.stringify(v3)).result();
  assert.deepEqual(r.packages, [
    {
      ecosystem: 'npm',
      name: '@types/node',
      version: '20.8.0',
      meta: { source: 'lockfile', dev: 'true', optional: 'true' },
    },
    // debug is prod under express and dev at the top: prod wins.
    {
      ecosystem: 'npm',
      name: 'debug',
      version: '2.6.9',
      meta: { source: 'lockfile' },
    },
    {
      ecosystem: 'npm',
      name: 'express',
      version: '4.18.2',
      license: 'MIT',
      meta: { source: 'lockfile' },
    },
    {
      ecosystem: 'npm',
      name: 'mocha',
      version: '10.2.0',
      license: 'MIT',
      meta: { source: 'lockfile', dev: 'true' },
    },
    {
      ecosystem: 'npm',
      name: 'my-lib',
      version: '0.3.0',
      meta: { source: 'lockfile', link: 'true' },
    },
    {
      ecosystem: 'npm',
      name: 'string-width',
      version: '4.2.3',
      meta: { source: 'lockfile' },
    },
  ]);
});

test('lockfile v1 dependencies tree, nested and aliased', async () => {
  const v1 = {
    name: 'app',
    lockfileVersion: 1,
    dependencies: {
      lodash: { version: '4.17.21', integrity: 'sha512-x' },
      mocha: {
        version: '10.2.0',
        dev: true,
        dependencies: { ms: { version: '2.1.3', dev: true } },
      },
      'sw-cjs': { version: 'npm:string-width@4.2.3' },
    },
  };
  const r = await analyzerTester(npmLockfile).file('app/npm-shrinkwrap.json', JSON.stringify(v1)).result();
  assert.deepEqual(
    r.packages?.map((p) => `${p.name}@${p.version}${p.meta?.dev ? ' dev' : ''}`),
    ['lodash@4.17.21', 'mocha@10.2.0 dev', 'ms@2.1.3 dev', 'string-width@4.2.3'],
  );
});

test('lockfile v2 prefers packages over the legacy dependencies', async () => {
  const v2 = {
    lockfileVersion: 2,
    packages: { '': {}, 'node_modules/a': { version: '1.0.0' } },
    dependencies: { a: { version: '0.9.0' } },
  };
  const r = await analyzerTester(npmLockfile).file('package-lock.json', JSON.stringify(v2)).result();
  assert.deepEqual(
    r.packages?.map((p) => p.version),
    ['1.0.0'],
  );
});

test('hostile and malformed lockfiles', async () => {
  await analyzerTester(npmLockfile)
    .file('package-lock.json', '{"lockfileVersion": 3, "packages": ')
    .expectsUnknown('ANALYZE_FILE_INVALID', /not valid JSON/);
  await analyzerTester(npmLockfile)
    .file('package-lock.json', '{"hello": 1}')
    .expectsUnknown('ANALYZE_FILE_INVALID', /not an npm lockfile/);
  // 300 levels of nesting: refused, not a stack overflow.
  let deps: Record<string, unknown> = {};
  for (let i = 0; i < 300; i++) deps = { [`p${i}`]: { version: '1.0.0', dependencies: deps } };
  await analyzerTester(npmLockfile)
    .file('package-lock.json', JSON.stringify({ lockfileVersion: 1, dependencies: deps }))
    .expectsUnknown('ANALYZE_LIMIT_EXCEEDED');
});

// yarn 1 format as written by `yarn install` (yarn v1.22 lockfile writer).
const yarnV1 = `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

js-tokens@^4.0.0:
  version "4.0.0"
  resolved "https://registry.yarnpkg.com/js-tokens/-/js-tokens-4.0.0.tgz"

"string-width-cjs@npm:string-width@^4.2.0":
  version "4.2.3"
`;

test('yarn.lock v1', async () => {
  const r = await analyzerTester(yarnLock).file('app/yarn.lock', yarnV1).result();
  assert.deepEqual(
    r.packages?.map((p) => `${p.name}@${p.version}`),
    ['@babel/code-frame@7.12.13', 'js-tokens@4.0.0', 'string-width@4.2.3'],
  );
});

// yarn berry (2+) format: YAML with __metadata.
const yarnBerry = `# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 6
  cacheKey: 8

"@babel/code-frame@npm:^7.0.0":
  version: 7.22.13
  resolution: "@babel/code-frame@npm:7.22.13"
  dependencies:
    "@babel/highlight": ^7.22.13
  checksum: 22e342c8077c8b77eeb11f554ecca2ba14153f707b85294fcf6070b6f6150aae88a7b7436dd88d8c9289970585f3fe5b9b941c5aa3aa26a6d5a8ef3f292da058
  languageName: node
  linkType: hard

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  languageName: unknown
  linkType: soft

"semver@npm:^7.5.4, semver@npm:^7.3.5":
  version: 7.5.4
  resolution: "semver@npm:7.5.4"
  languageName: node
  linkType: hard
`;

test('yarn.lock berry skips the workspace', async () => {
  const r = await analyzerTester(yarnLock).file('app/yarn.lock', yarnBerry).result();
  assert.deepEqual(
    r.packages?.map((p) => `${p.name}@${p.version}`),
    ['@babel/code-frame@7.22.13', 'semver@7.5.4'],
  );
});

test('yarn descriptor names', () => {
  assert.equal(descriptorName('"@scope/x@^1.0.0"'), '@scope/x');
  assert.equal(descriptorName('x@git+ssh://git@github.com/a/b.git'), 'x');
  assert.equal(descriptorName('alias@npm:real@^2'), 'real');
  assert.equal(descriptorName('noversion'), undefined);
});

test('yarn.lock garbage is rejected', async () => {
  await analyzerTester(yarnLock)
    .file('yarn.lock', 'hello world\n')
    .expectsUnknown('ANALYZE_FILE_INVALID', /not a yarn lockfile/);
});

test('pnpm-lock.yaml v5, v6 and v9 dependency paths', async () => {
  assert.deepEqual(parseDepPath('/@babel/core/7.23.2_supports-color@8.1.1', 5.4), {
    name: '@babel/core',
    version: '7.23.2',
  });
  assert.deepEqual(parseDepPath('/lodash/4.17.21', 5.4), {
    name: 'lodash',
    version: '4.17.21',
  });
  assert.deepEqual(parseDepPath('/@babel/core@7.23.2(supports-color@8.1.1)', 6), {
    name: '@babel/core',
    version: '7.23.2',
  });
  assert.deepEqual(parseDepPath('react@18.2.0', 9), {
    name: 'react',
    version: '18.2.0',
  });
  assert.equal(parseDepPath('my-lib@link:../lib', 9), undefined);
  const v6 = `lockfileVersion: '6.0'

dependencies:
  lodash:
    specifier: ^4.17.21
    version: 4.17.21

packages:

  /lodash@4.17.21:
    resolution: {integrity: sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==}
    dev: false

  /mocha@10.2.0(supports-color@8.1.1):
    resolution: {integrity: sha512-x}
    dev: true

  github.com/user/repo/abc123:
    resolution: {tarball: https://codeload.github.com/user/repo/tar.gz/abc123}
    name: repo
    version: 1.0.0
    dev: false
`;
  const r = await analyzerTester(pnpmLock).file('app/pnpm-lock.yaml', v6).result();
  assert.deepEqual(
    r.packages?.map((p) => `${p.name}@${p.version}${p.meta?.dev ? ' dev' : ''}`),
    ['lodash@4.17.21', 'mocha@10.2.0 dev', 'repo@1.0.0'],
  );
  await analyzerTester(pnpmLock)
    .file('pnpm-lock.yaml', 'packages: {}\n')
    .expectsUnknown('ANALYZE_FILE_INVALID', /not a pnpm lockfile/);
  await analyzerTester(pnpmLock)
    .file('pnpm-lock.yaml', 'a: [\n')
    .expectsUnknown('ANALYZE_FILE_INVALID', /not valid YAML/);
});
