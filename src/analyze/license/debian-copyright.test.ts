import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { testdata } from '../../core/test-support/testdata.js';
import type { AnalyzerFile } from '../types.js';
import { debianCopyright, parseDebianCopyright } from './debian-copyright.js';

const file = (path: string, text: string): AnalyzerFile => {
  const bytes = Buffer.from(text);
  return { path, size: bytes.length, mode: 0o644, layer: 'sha256:t', bytes, text: () => text };
};

test('DEP-5 files: distinct License short names from Files and stand-alone License paragraphs (real tar, openssl)', async () => {
  const tar = readFileSync(testdata(import.meta.url, 'tar-copyright'), 'utf8');
  assert.deepEqual(parseDebianCopyright(tar), ['GPL-3+', 'GPL-3+ with Bison exception', 'LGPL-3+', 'GPL-2+']);
  const r = await debianCopyright.analyze(
    file('usr/share/doc/openssl/copyright', readFileSync(testdata(import.meta.url, 'openssl-copyright'), 'utf8')),
  );
  assert.deepEqual(r.packageLicenses, [
    { ecosystem: 'deb', name: 'openssl', licenses: ['Apache-2.0', 'Artistic', 'GPL-1+'] },
  ]);
});

test('expressions are split into names; continuation lines and field-name case do not matter', () => {
  const text = [
    'format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: x',
    '',
    'Files: *',
    'Copyright: 2020 A',
    'License: GPL-2+ or Artistic-1.0, and BSD-3-clause',
    ' This program is free software; you can redistribute it',
    ' .',
    ' License: not-a-field (continuation line)',
    '',
    'Files: debian/*',
    'LICENSE: Expat',
    '',
    'License: public-domain',
    ' No rights reserved.',
    '',
  ].join('\r\n');
  assert.deepEqual(parseDebianCopyright(text), ['GPL-2+', 'Artistic-1.0', 'BSD-3-clause', 'Expat', 'public-domain']);
});

test('free-text files: best effort from /usr/share/common-licenses references (real ca-certificates-java)', () => {
  const t = readFileSync(testdata(import.meta.url, 'ca-certificates-java-copyright'), 'utf8');
  assert.deepEqual(parseDebianCopyright(t), ['GPL']); // "licensed under the GPL, see `/usr/share/common-licenses/GPL'"
  assert.deepEqual(parseDebianCopyright('Copyright (c) 1999 Someone.\nAll rights reserved.\n'), []);
  assert.deepEqual(parseDebianCopyright('Format: https://example.org/other-format\n\nLicense: MIT\n'), []);
});

test('wants only usr/share/doc/PKG/copyright under the size cap; no facts without licences', async () => {
  const w = (p: string, size = 10) => debianCopyright.wants(p, { path: p, size, mode: 0o644 });
  assert.equal(w('usr/share/doc/bash/copyright'), true);
  assert.equal(w('usr/share/doc/bash/copyright', 5 * 1024 * 1024), false);
  assert.equal(w('usr/share/doc/bash/sub/copyright'), false);
  assert.equal(w('usr/share/doc/copyright'), false);
  assert.deepEqual(await debianCopyright.analyze(file('usr/share/doc/x/copyright', 'nothing here')), {});
  // hostile input: no hang, no throw
  assert.deepEqual(parseDebianCopyright(`Format: copyright-format\n\n${'License: \n'.repeat(50_000)}`), []);
});
