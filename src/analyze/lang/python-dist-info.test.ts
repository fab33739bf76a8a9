import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testdata } from '../../core/test-support/testdata.js';
import { analyzerTester } from '../test-support/analyzer-tester.js';
import { parseCoreMetadata, pythonDistInfo, pythonLicense } from './python-dist-info.js';

const wants = (p: string): boolean => pythonDistInfo.wants(p, { path: p, size: 10, mode: 0o644 });

test('wants dist-info METADATA, egg-info PKG-INFO and egg-info files', () => {
  assert.equal(wants('usr/lib/python3.11/site-packages/urllib3-2.7.0.dist-info/METADATA'), true);
  assert.equal(wants('usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO'), true);
  assert.equal(wants('usr/lib/python3/dist-packages/six-1.16.0.egg-info'), true);
  assert.equal(wants('usr/lib/python3/site-packages/x-1.0-py3.11.egg/EGG-INFO/PKG-INFO'), true);
  assert.equal(wants('usr/lib/python3/site-packages/urllib3-2.7.0.dist-info/RECORD'), false);
  assert.equal(wants('usr/lib/python3/site-packages/METADATA'), false);
});

test('metadata 2.4 License-Expression (real urllib3 wheel)', async () => {
  await analyzerTester(pythonDistInfo)
    .fromDisk(
      testdata(import.meta.url, 'python', 'urllib3-2.7.0.METADATA'),
      'site-packages/urllib3-2.7.0.dist-info/METADATA',
    )
    .expectsPackages([{ ecosystem: 'pypi', name: 'urllib3', version: '2.7.0', license: 'MIT' }]);
});

test('Debian egg-info PKG-INFO with License (real PyJWT)', async () => {
  // The name as written: purl normalises it to "pyjwt".
  await analyzerTester(pythonDistInfo)
    .fromDisk(
      testdata(import.meta.url, 'python', 'PyJWT-2.6.0.PKG-INFO'),
      'usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO',
    )
    .expectsPackages([{ ecosystem: 'pypi', name: 'PyJWT', version: '2.6.0', license: 'MIT' }]);
});

test('License UNKNOWN falls back to the classifier (real setuptools 47.1.0)', async () => {
  await analyzerTester(pythonDistInfo)
    .fromDisk(
      testdata(import.meta.url, 'python', 'setuptools-47.1.0.METADATA'),
      'x/setuptools-47.1.0.dist-info/METADATA',
    )
    .expectsPackages([
      {
        ecosystem: 'pypi',
        name: 'setuptools',
        version: '47.1.0',
        license: 'MIT License',
      },
    ]);
});

test('folded headers, CRLF, pasted licence text and the description body', () => {
  const text = [
    'Metadata-Version: 2.1',
    'Name: Foo_Bar',
    'Version: 1.0.post1',
    'License: Copyright (c) 2020 Someone',
    '        Permission is hereby granted, free of charge',
    'Classifier: License :: OSI Approved :: BSD License',
    'Classifier: License :: OSI Approved :: Apache Software License',
    '',
    'Name: NotThis',
  ].join('\r\n');
  const h = parseCoreMetadata(text);
  assert.deepEqual(h.get('name'), ['Foo_Bar']);
  assert.equal(h.get('license')?.[0], 'Copyright (c) 2020 Someone\nPermission is hereby granted, free of charge');
  assert.equal(pythonLicense(h), 'BSD License OR Apache Software License');
  assert.equal(pythonLicense(parseCoreMetadata('Name: x\nVersion: 1\n')), undefined);
});

test('missing Name or Version is malformed; empty files are nothing', async () => {
  await analyzerTester(pythonDistInfo)
    .file('a.dist-info/METADATA', 'Metadata-Version: 2.1\nName: x\n')
    .expectsUnknown('ANALYZE_FILE_INVALID', /without Name or Version/);
  await analyzerTester(pythonDistInfo).file('six.egg-info', '').expects({});
});
