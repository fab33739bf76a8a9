import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PackageFact, purlOf } from '../core/index.js';
import { decodePurl } from './purl-decode.js';

const ok = (purl: string, name?: string) => {
  const r = decodePurl(purl, name);
  assert.ok(r.ok, `${purl}: ${r.ok ? '' : r.reason}`);
  return r.value;
};

test('decodePurl is the inverse of purlOf for every ecosystem', () => {
  const os = { family: 'rocky', version: '9.3', name: 'Rocky Linux 9.3' };
  const facts: PackageFact[] = [
    { ecosystem: 'npm', name: '@types/node', version: '20.11.0' },
    { ecosystem: 'maven', name: 'org.springframework:spring-core', version: '6.1.4' },
    { ecosystem: 'golang', name: 'github.com/sirupsen/logrus', version: 'v1.9.3' },
    { ecosystem: 'composer', name: 'symfony/console', version: 'v7.0.3' },
    { ecosystem: 'gem', name: 'rack', version: '3.0.9' },
    { ecosystem: 'nuget', name: 'Newtonsoft.Json', version: '13.0.3' },
    { ecosystem: 'cargo', name: 'tokio', version: '1.36.0' },
    { ecosystem: 'pypi', name: 'typing_extensions', version: '4.9.0' },
  ];
  for (const f of facts) {
    const d = ok(purlOf(f), f.name);
    assert.deepEqual([d.ecosystem, d.name, d.version], [f.ecosystem, f.name, f.version], purlOf(f));
  }
  const rpm: PackageFact = {
    ecosystem: 'rpm',
    name: 'openssl-libs',
    version: '3.0.7-25.el9_3',
    epoch: 1,
    arch: 'x86_64',
    source: { name: 'openssl', version: '3.0.7-25.el9_3' },
  };
  const d = ok(purlOf(rpm, os));
  assert.deepEqual(d, {
    ecosystem: 'rpm',
    name: 'openssl-libs',
    version: '3.0.7-25.el9_3',
    namespace: 'rocky',
    arch: 'x86_64',
    epoch: 1,
    source: { name: 'openssl', version: '3.0.7-25.el9_3' },
  });
});

test('decodePurl: deb upstream with its own version, Trivy-style epoch qualifier, rpm source RPM', () => {
  const deb = ok(
    'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl%403.0.11-1~deb12u2&distro=debian-12',
  );
  assert.deepEqual(deb.source, { name: 'openssl', version: '3.0.11-1~deb12u2' });
  assert.equal(ok('pkg:deb/debian/login@4.13%2Bdfsg1-1?epoch=1').version, '1:4.13+dfsg1-1');
  const rpm = ok('pkg:rpm/redhat/bash@5.1.8-6.el9?upstream=bash-5.1.8-6.el9.src.rpm');
  assert.deepEqual(rpm.source, { name: 'bash', version: '5.1.8-6.el9' });
});

test('decodePurl: pypi keeps the display spelling only when it normalises to the purl name', () => {
  assert.equal(ok('pkg:pypi/jinja2@3.1.3', 'Jinja2').name, 'Jinja2');
  assert.equal(ok('pkg:pypi/jinja2@3.1.3', 'Flask').name, 'jinja2');
});

test('decodePurl keeps unknown qualifiers and refuses what it cannot use', () => {
  assert.deepEqual(ok('pkg:maven/org.example/lib@1.0?type=jar&classifier=sources').qualifiers, {
    type: 'jar',
    classifier: 'sources',
  });
  const bad = (purl: string) => {
    const r = decodePurl(purl);
    assert.ok(!r.ok, purl);
    return r.reason;
  };
  assert.match(bad('pkg:github/package-url/purl-spec@1'), /"github" is not an ecosystem/);
  assert.match(bad('not a purl'), /invalid purl/);
  assert.match(bad(`pkg:npm/${'a'.repeat(9000)}@1`), /longer than/);
});
