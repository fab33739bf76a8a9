import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzerTester } from '../test-support/analyzer-tester.js';
import { composerInstalled } from './composer-installed.js';
import { dotnetDeps } from './dotnet-deps.js';

const w = (p: string): boolean => composerInstalled.wants(p, { path: p, size: 1, mode: 0o644 });

test('wants installed.json and composer.lock', () => {
  assert.equal(w('var/www/vendor/composer/installed.json'), true);
  assert.equal(w('vendor/composer/installed.json'), true);
  assert.equal(w('var/www/composer.lock'), true);
  assert.equal(w('var/www/vendor/x/y/composer.lock'), false);
  assert.equal(w('var/www/composer/installed.json'), false);
});

// Composer 2 installed.json layout (composer/composer src/Composer/Repository/FilesystemRepository.php).
const installed2 = {
  packages: [
    {
      name: 'monolog/monolog',
      version: '3.4.0',
      version_normalized: '3.4.0.0',
      type: 'library',
      license: ['MIT'],
    },
    {
      name: 'symfony/console',
      version: 'v6.3.4',
      version_normalized: '6.3.4.0',
      license: ['MIT', 'GPL-2.0-or-later'],
    },
    { name: 'phpunit/phpunit', version: '10.3.5', license: ['BSD-3-Clause'] },
    { name: 'broken' },
  ],
  dev: true,
  'dev-package-names': ['phpunit/phpunit'],
};

test('Composer 2 installed.json: versions as written, license arrays, dev packages', async () => {
  const r = await analyzerTester(composerInstalled)
    .file('app/vendor/composer/installed.json', JSON.stringify(installed2))
    .result();
  assert.deepEqual(r.packages, [
    {
      ecosystem: 'composer',
      name: 'monolog/monolog',
      version: '3.4.0',
      license: 'MIT',
      meta: { source: 'installed' },
    },
    {
      ecosystem: 'composer',
      name: 'symfony/console',
      version: 'v6.3.4',
      license: 'MIT OR GPL-2.0-or-later',
      meta: { source: 'installed' },
    },
    {
      ecosystem: 'composer',
      name: 'phpunit/phpunit',
      version: '10.3.5',
      license: 'BSD-3-Clause',
      meta: { source: 'installed', dev: 'true' },
    },
  ]);
});

test('Composer 1 installed.json array and composer.lock', async () => {
  const r1 = await analyzerTester(composerInstalled)
    .file('vendor/composer/installed.json', JSON.stringify([{ name: 'a/b', version: '1.0.0' }]))
    .result();
  assert.deepEqual(r1.packages, [
    {
      ecosystem: 'composer',
      name: 'a/b',
      version: '1.0.0',
      meta: { source: 'installed' },
    },
  ]);
  const lock = {
    'content-hash': 'x',
    packages: [{ name: 'guzzlehttp/guzzle', version: '7.8.0', license: ['MIT'] }],
    'packages-dev': [{ name: 'mockery/mockery', version: '1.6.6' }],
  };
  const r2 = await analyzerTester(composerInstalled).file('srv/composer.lock', JSON.stringify(lock)).result();
  assert.deepEqual(
    r2.packages?.map((p) => `${p.name}@${p.version}${p.meta?.dev ? ' dev' : ''}`),
    ['guzzlehttp/guzzle@7.8.0', 'mockery/mockery@1.6.6 dev'],
  );
  await analyzerTester(composerInstalled)
    .file('vendor/composer/installed.json', '{"dev": true}')
    .expectsUnknown('ANALYZE_FILE_INVALID', /no package list/);
  await analyzerTester(composerInstalled)
    .file('vendor/composer/installed.json', '{')
    .expectsUnknown('ANALYZE_FILE_INVALID', /not valid JSON/);
});

// Layout of `dotnet publish` output (dotnet/runtime docs/design/features/host-runtime-information.md).
const deps = {
  runtimeTarget: { name: '.NETCoreApp,Version=v8.0', signature: '' },
  targets: {
    '.NETCoreApp,Version=v8.0': {
      'WebApp/1.0.0': { dependencies: { 'Newtonsoft.Json': '13.0.3' } },
    },
  },
  libraries: {
    'WebApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'Newtonsoft.Json/13.0.3': {
      type: 'package',
      serviceable: true,
      sha512: 'sha512-x',
      path: 'newtonsoft.json/13.0.3',
    },
    'Microsoft.Extensions.Logging/8.0.0': {
      type: 'package',
      serviceable: true,
    },
    'System.Runtime/4.0.0': { type: 'reference' },
  },
};

test('.NET deps.json: packages only', async () => {
  assert.equal(
    dotnetDeps.wants('app/WebApp.deps.json', {
      path: 'app/WebApp.deps.json',
      size: 1,
      mode: 0o644,
    }),
    true,
  );
  const r = await analyzerTester(dotnetDeps)
    .file('app/WebApp.deps.json', `\ufeff${JSON.stringify(deps)}`)
    .result();
  assert.deepEqual(r.packages, [
    { ecosystem: 'nuget', name: 'Newtonsoft.Json', version: '13.0.3' },
    {
      ecosystem: 'nuget',
      name: 'Microsoft.Extensions.Logging',
      version: '8.0.0',
    },
  ]);
  await analyzerTester(dotnetDeps)
    .file('a.deps.json', '{"libraries": []}')
    .expectsUnknown('ANALYZE_FILE_INVALID', /not an object/);
});
