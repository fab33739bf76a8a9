import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzerTester } from '../test-support/analyzer-tester.js';
import { isInstalledPackageJson, npmPackageJson } from './npm-package-json.js';

const info = { size: 10, mode: 0o644 };

test('wants only package roots inside node_modules', () => {
  const yes = [
    'app/node_modules/lodash/package.json',
    'node_modules/lodash/package.json',
    'usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json',
    'app/node_modules/a/node_modules/b/package.json',
  ];
  const no = [
    'app/package.json',
    'app/node_modules/lodash/lib/package.json',
    'app/node_modules/@scope/name/dist/package.json',
    'app/node_modules/@scope/package.json',
    'app/node_modules/.package-lock.json',
    'app/node_modules/.bin/package.json',
    'app/my_node_modules/x/package.json',
    'app/node_modules/x/package.json.bak',
  ];
  for (const p of yes) assert.equal(npmPackageJson.wants(p, { path: p, ...info }), true, p);
  for (const p of no) assert.equal(npmPackageJson.wants(p, { path: p, ...info }), false, p);
  assert.equal(isInstalledPackageJson('node_modules/@types/node/package.json'), true);
});

test('reads name, version and license of an installed package', async () => {
  await analyzerTester(npmPackageJson)
    .file(
      'app/node_modules/@babel/core/package.json',
      JSON.stringify({
        name: '@babel/core',
        version: '7.23.2',
        license: 'MIT',
      }),
    )
    .expectsPackages([
      {
        ecosystem: 'npm',
        name: '@babel/core',
        version: '7.23.2',
        license: 'MIT',
        meta: { source: 'installed' },
      },
    ]);
});

test('legacy license object and licenses array', async () => {
  const a = await analyzerTester(npmPackageJson)
    .file('node_modules/a/package.json', '{"name":"a","version":"1.0.0","license":{"type":"BSD","url":"x"}}')
    .result();
  assert.equal(a.packages?.[0]?.license, 'BSD');
  const b = await analyzerTester(npmPackageJson)
    .file(
      'node_modules/b/package.json',
      '{"name":"b","version":"2.0.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}',
    )
    .result();
  assert.equal(b.packages?.[0]?.license, 'MIT OR Apache-2.0');
});

test('skips package.json without name or version', async () => {
  await analyzerTester(npmPackageJson).file('node_modules/x/package.json', '{"type":"module"}').expects({});
});

test('malformed JSON is an ANALYZE_FILE_INVALID naming the file', async () => {
  await analyzerTester(npmPackageJson)
    .file('node_modules/x/package.json', '{"name": "x", "version":')
    .expectsUnknown('ANALYZE_FILE_INVALID', 'node_modules/x/package.json');
  await analyzerTester(npmPackageJson)
    .file('node_modules/x/package.json', '[1,2]')
    .expectsUnknown('ANALYZE_FILE_INVALID', /not a JSON object/);
});
