import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { distroKey, parseDistro } from './distro-key.js';

test('--distro NAME:VERSION selects the DB key the release is matched with', () => {
  const cases: [string, string][] = [
    ['debian:12', 'Debian:12'],
    ['debian:bookworm', 'Debian:12'],
    ['alpine:3.19', 'Alpine:v3.19'],
    ['ubuntu:22.04', 'Ubuntu:22.04'],
    ['ubuntu:jammy', 'Ubuntu:22.04'],
    ['rhel:9', 'Red Hat:9'],
    ['redhat:8.9', 'Red Hat:8'],
    ['Rocky:9.3', 'Rocky Linux:9'],
  ];
  for (const [flag, key] of cases) assert.equal(distroKey(parseDistro(flag)), key, flag);
});

test('a bad --distro names the accepted distros or the form', () => {
  for (const [flag, message] of [
    [
      'centos:7',
      /"centos" is not a distro customs has advisories for; NAME is one of alpine, almalinux, .*ubuntu, wolfi/,
    ],
    ['debian-12', /is not NAME:VERSION/],
    ['alpine:edge', /"edge" is not a release of alpine/],
    ['debian:', /is not a release of debian/],
  ] as const) {
    assert.throws(
      () => parseDistro(flag),
      (e: unknown) => e instanceof CustomsError && e.code === 'USAGE_BAD_FLAG' && message.test(e.message),
      flag,
    );
  }
});
