/**
 * Test vectors from github.com/distribution/reference at commit 0965666a6ade
 * (2026-04-18): reference_test.go (TestReferenceParse, TestDomainAndPath) and
 * normalize_test.go (TestValidateReferenceName, TestValidateRemoteName,
 * TestParseRepositoryInfo, TestParseReferenceWithTagAndDigest, TestParseAnyReference,
 * TestNormalizedSplitHostname, TestParseDockerRef), copied as data, plus the
 * normalisation users rely on (`nginx:1.25` → docker.io/library/nginx:1.25).
 * Where customs differs on purpose it says so beside the case: sha512 digests
 * are accepted (customs verifies them; upstream needs crypto/sha512 registered),
 * and a 64-hex name is refused rather than read as an image ID (ParseAnyReference).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import {
  familiarName,
  formatReference,
  parseNormalizedReference,
  parseReference,
  withDefaultTag,
} from './reference.js';

const F64 = 'f'.repeat(64);
const F128 = 'f'.repeat(128);

const parseOk: [
  input: string,
  repository: string,
  domain: string,
  tag?: string | undefined,
  digest?: string | undefined,
][] = [
  ['test_com', 'test_com', ''],
  ['test.com:tag', 'test.com', '', 'tag'],
  ['test.com:5000', 'test.com', '', '5000'],
  ['test.com/repo:tag', 'test.com/repo', 'test.com', 'tag'],
  ['test:5000/repo', 'test:5000/repo', 'test:5000'],
  ['test:5000/repo:tag', 'test:5000/repo', 'test:5000', 'tag'],
  [`test:5000/repo@sha256:${F64}`, 'test:5000/repo', 'test:5000', undefined, `sha256:${F64}`],
  [`test:5000/repo:tag@sha256:${F64}`, 'test:5000/repo', 'test:5000', 'tag', `sha256:${F64}`],
  ['lowercase:Uppercase', 'lowercase', '', 'Uppercase'],
  [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, `${'a/'.repeat(127)}a`, 'a', 'tag-puts-this-over-max'],
  // The 255-character limit is on the path: the domain does not count.
  [`example.com/${'a'.repeat(255)}:tag`, `example.com/${'a'.repeat(255)}`, 'example.com', 'tag'],
  [`${'a/'.repeat(128)}a`, `${'a/'.repeat(128)}a`, 'a'],
  ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com'],
  ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'some-long-tag'],
  [
    'b.gcr.io/test.example.com/my-app:test.example.com',
    'b.gcr.io/test.example.com/my-app',
    'b.gcr.io',
    'test.example.com',
  ],
  ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage', 'xn--n3h.com', 'xn--n3h.com'],
  [
    `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${F128}`,
    'xn--7o8h.com/myimage',
    'xn--7o8h.com',
    'xn--7o8h.com',
    `sha512:${F128}`,
  ],
  ['foo_bar.com:8080', 'foo_bar.com', '', '8080'],
  ['foo/foo_bar.com:8080', 'foo/foo_bar.com', 'foo', '8080'],
  ['192.168.1.1', '192.168.1.1', ''],
  ['192.168.1.1:tag', '192.168.1.1', '', 'tag'],
  ['192.168.1.1:5000', '192.168.1.1', '', '5000'],
  ['192.168.1.1/repo', '192.168.1.1/repo', '192.168.1.1'],
  ['192.168.1.1:5000/repo', '192.168.1.1:5000/repo', '192.168.1.1:5000'],
  ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo', '192.168.1.1:5000', '5050'],
  ['[2001:db8::1]/repo', '[2001:db8::1]/repo', '[2001:db8::1]'],
  ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]/repo', '[2001:db8:1:2:3:4:5:6]', 'tag'],
  ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000'],
  ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'tag'],
  [
    `[2001:db8::1]:5000/repo@sha256:${F64}`,
    '[2001:db8::1]:5000/repo',
    '[2001:db8::1]:5000',
    undefined,
    `sha256:${F64}`,
  ],
  ['[2001:db8::]:5000/repo', '[2001:db8::]:5000/repo', '[2001:db8::]:5000'],
  ['[::1]:5000/repo', '[::1]:5000/repo', '[::1]:5000'],
  [
    `[2001:db8::1]:5000/repo:tag@sha256:${F64}`,
    '[2001:db8::1]:5000/repo',
    '[2001:db8::1]:5000',
    'tag',
    `sha256:${F64}`,
  ],
  // TestDomainAndPath
  ['test.com/foo', 'test.com/foo', 'test.com'],
  ['test_com/foo', 'test_com/foo', ''],
  ['test:8080/foo', 'test:8080/foo', 'test:8080'],
  ['test.com:8080/foo', 'test.com:8080/foo', 'test.com:8080'],
  ['test-com:8080/foo', 'test-com:8080/foo', 'test-com:8080'],
  ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080/foo', 'xn--n3h.com:18080'],
];

for (const [input, repository, domain, tag, digest] of parseOk) {
  test(`parseReference accepts ${input.slice(0, 60)}`, () => {
    const r = parseReference(input);
    assert.equal(r.name, repository);
    assert.equal(r.domain, domain);
    assert.equal(r.tag, tag);
    assert.equal(r.digest, digest);
  });
}

const parseBad: [input: string, message: RegExp][] = [
  ['', /at least one component/],
  [':justtag', /invalid reference format/],
  [`@sha256:${F64}`, /invalid reference format/],
  ['repo@sha256:ffffffffffffffffffffffffffffffffff', /digest length/],
  [`validname@invaliddigest:${F64}`, /unsupported digest algorithm/],
  ['Uppercase:tag', /must be lowercase/],
  ['test:5000/Uppercase/lowercase:tag', /must be lowercase/],
  [`domain/${'a'.repeat(256)}:tag`, /longer than 255/],
  ['aa/asdf$$^/aa', /invalid reference format/],
  ['[2001:db8::1]', /invalid reference format/],
  ['[2001:db8::1]:5000', /invalid reference format/],
  ['[2001:db8::1]:tag', /invalid reference format/],
  ['[fe80::1%eth0]:5000/repo', /invalid reference format/],
  ['[fe80::1%@invalidzone]:5000/repo', /invalid reference format/],
  [`repo@sha256:${'F'.repeat(64)}`, /lower case/],
];

for (const [input, message] of parseBad) {
  test(`parseReference rejects ${JSON.stringify(input.slice(0, 60))}`, () => {
    assert.throws(
      () => parseReference(input),
      (e: unknown) => e instanceof CustomsError && e.code === 'IMAGE_REFERENCE_INVALID' && message.test(e.message),
    );
  });
}

// normalize_test.go (TestParseNormalizedNamed, TestNormalizedSplitHostname) and the Docker CLI's behaviour.
const normalised: [input: string, canonical: string, familiar: string][] = [
  ['nginx:1.25', 'docker.io/library/nginx:1.25', 'nginx:1.25'],
  ['nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['docker.io/nginx', 'docker.io/library/nginx:latest', 'nginx:latest'],
  ['index.docker.io/library/ubuntu', 'docker.io/library/ubuntu:latest', 'ubuntu:latest'],
  ['docker.io/library/foo/bar', 'docker.io/library/foo/bar:latest', 'library/foo/bar:latest'],
  ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp:latest', 'dmcgowan/myapp:latest'],
  ['dmcgowan/myapp/foo', 'docker.io/dmcgowan/myapp/foo:latest', 'dmcgowan/myapp/foo:latest'],
  ['localhost/foo', 'localhost/foo:latest', 'localhost/foo:latest'],
  ['localhost:5000/foo/bar', 'localhost:5000/foo/bar:latest', 'localhost:5000/foo/bar:latest'],
  ['example.com/foo:tag', 'example.com/foo:tag', 'example.com/foo:tag'],
  ['Example.com/foo', 'Example.com/foo:latest', 'Example.com/foo:latest'],
  ['127.0.0.1:5000/x:1', '127.0.0.1:5000/x:1', '127.0.0.1:5000/x:1'],
  [`ghcr.io/org/app@sha256:${F64}`, `ghcr.io/org/app@sha256:${F64}`, `ghcr.io/org/app@sha256:${F64}`],
  [`busybox:latest@sha256:${F64}`, `docker.io/library/busybox:latest@sha256:${F64}`, `busybox:latest@sha256:${F64}`],
];

for (const [input, canonical, familiar] of normalised) {
  test(`parseNormalizedReference ${input.slice(0, 50)} → ${canonical.slice(0, 50)}`, () => {
    const r = withDefaultTag(parseNormalizedReference(input));
    assert.equal(formatReference(r), canonical);
    assert.equal(familiarName(r), familiar);
  });
}

// TestParseRepositoryInfo: each familiar, full and ambiguous spelling gives the same name.
const repositoryInfo: [spellings: string[], familiar: string, full: string, domain: string, path: string][] = [
  [['localhost/fooo'], 'localhost/fooo', 'localhost/fooo', 'localhost', 'fooo'],
  [['localhost/fooo/bar'], 'localhost/fooo/bar', 'localhost/fooo/bar', 'localhost', 'fooo/bar'],
  [['LOCALDOMAIN/fooo'], 'LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN', 'fooo'],
  [['LOCALDOMAIN/fooo/bar'], 'LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN', 'fooo/bar'],
  [
    ['fooo/bar', 'docker.io/fooo/bar', 'index.docker.io/fooo/bar'],
    'fooo/bar',
    'docker.io/fooo/bar',
    'docker.io',
    'fooo/bar',
  ],
  [
    ['ubuntu', 'docker.io/library/ubuntu', 'library/ubuntu'],
    'ubuntu',
    'docker.io/library/ubuntu',
    'docker.io',
    'library/ubuntu',
  ],
  [
    ['nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu'],
    'nonlibrary/ubuntu',
    'docker.io/nonlibrary/ubuntu',
    'docker.io',
    'nonlibrary/ubuntu',
  ],
  [
    ['other/library', 'docker.io/other/library'],
    'other/library',
    'docker.io/other/library',
    'docker.io',
    'other/library',
  ],
  [
    ['127.0.0.1:8000/private/moonbase'],
    '127.0.0.1:8000/private/moonbase',
    '127.0.0.1:8000/private/moonbase',
    '127.0.0.1:8000',
    'private/moonbase',
  ],
  [
    ['127.0.0.1:8000/privatebase'],
    '127.0.0.1:8000/privatebase',
    '127.0.0.1:8000/privatebase',
    '127.0.0.1:8000',
    'privatebase',
  ],
  [
    ['example.com/private/moonbase'],
    'example.com/private/moonbase',
    'example.com/private/moonbase',
    'example.com',
    'private/moonbase',
  ],
  [['example.com/privatebase'], 'example.com/privatebase', 'example.com/privatebase', 'example.com', 'privatebase'],
  [
    ['example.com:8000/private/moonbase'],
    'example.com:8000/private/moonbase',
    'example.com:8000/private/moonbase',
    'example.com:8000',
    'private/moonbase',
  ],
  [
    ['example.com:8000/privatebasee'],
    'example.com:8000/privatebasee',
    'example.com:8000/privatebasee',
    'example.com:8000',
    'privatebasee',
  ],
  [
    ['ubuntu-12.04-base', 'docker.io/library/ubuntu-12.04-base', 'index.docker.io/library/ubuntu-12.04-base'],
    'ubuntu-12.04-base',
    'docker.io/library/ubuntu-12.04-base',
    'docker.io',
    'library/ubuntu-12.04-base',
  ],
  [['foo', 'docker.io/library/foo', 'docker.io/foo'], 'foo', 'docker.io/library/foo', 'docker.io', 'library/foo'],
  [
    ['library/foo/bar', 'docker.io/library/foo/bar'],
    'library/foo/bar',
    'docker.io/library/foo/bar',
    'docker.io',
    'library/foo/bar',
  ],
  [
    ['store/foo/bar', 'docker.io/store/foo/bar'],
    'store/foo/bar',
    'docker.io/store/foo/bar',
    'docker.io',
    'store/foo/bar',
  ],
  // An upper-case first component is a registry host (Docker Hub namespaces are lower case).
  [['Foo/bar'], 'Foo/bar', 'Foo/bar', 'Foo', 'bar'],
  [['FOO/bar'], 'FOO/bar', 'FOO/bar', 'FOO', 'bar'],
];

for (const [spellings, familiar, full, domain, path] of repositoryInfo) {
  for (const input of spellings) {
    test(`parseNormalizedReference ${input}: ${domain} + ${path}`, () => {
      const r = parseNormalizedReference(input);
      assert.equal(r.domain, domain);
      assert.equal(r.path, path);
      assert.equal(formatReference(r), full);
      assert.equal(familiarName(r), familiar);
    });
  }
}

// TestNormalizedSplitHostname and the name forms of TestParseAnyReference and TestParseReferenceWithTagAndDigest.
const DBCC = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const canonicalForms: [input: string, canonical: string][] = [
  ['test.com/foo', 'test.com/foo'],
  ['test_com/foo', 'docker.io/test_com/foo'],
  ['docker/migrator', 'docker.io/docker/migrator'],
  ['test.com:8080/foo', 'test.com:8080/foo'],
  ['test-com:8080/foo', 'test-com:8080/foo'],
  ['foo', 'docker.io/library/foo'],
  ['xn--n3h.com/foo', 'xn--n3h.com/foo'],
  ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080/foo'],
  ['docker.io/foo', 'docker.io/library/foo'],
  ['docker.io/library/foo', 'docker.io/library/foo'],
  ['docker.io/library/foo/bar', 'docker.io/library/foo/bar'],
  ['redis', 'docker.io/library/redis'],
  ['redis:latest', 'docker.io/library/redis:latest'],
  ['docker.io/library/redis:latest', 'docker.io/library/redis:latest'],
  [`redis@sha256:${DBCC}`, `docker.io/library/redis@sha256:${DBCC}`],
  [`docker.io/library/redis@sha256:${DBCC}`, `docker.io/library/redis@sha256:${DBCC}`],
  ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp'],
  ['dmcgowan/myapp:latest', 'docker.io/dmcgowan/myapp:latest'],
  ['docker.io/mcgowan/myapp:latest', 'docker.io/mcgowan/myapp:latest'],
  [`dmcgowan/myapp@sha256:${DBCC}`, `docker.io/dmcgowan/myapp@sha256:${DBCC}`],
  [DBCC.slice(0, 63), `docker.io/library/${DBCC.slice(0, 63)}`],
  ['dbcc1', 'docker.io/library/dbcc1'],
  [
    'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa',
    'docker.io/library/busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa',
  ],
];

for (const [input, canonical] of canonicalForms) {
  test(`parseNormalizedReference ${input.slice(0, 50)} is ${canonical.slice(0, 50)}`, () => {
    assert.equal(formatReference(parseNormalizedReference(input)), canonical);
  });
}

// TestParseDockerRef, except "both tag and digest": customs keeps the tag beside the digest.
const E669 = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
const dockerRefs: [input: string, canonical: string][] = [
  ['busybox', 'docker.io/library/busybox:latest'],
  ['busybox:latest', 'docker.io/library/busybox:latest'],
  [`busybox@${E669}`, `docker.io/library/busybox@${E669}`],
  ['library/busybox', 'docker.io/library/busybox:latest'],
  ['docker.io/busybox', 'docker.io/library/busybox:latest'],
  ['docker.io/library/busybox', 'docker.io/library/busybox:latest'],
  ['docker.io/busybox:latest', 'docker.io/library/busybox:latest'],
  ['library/busybox:latest', 'docker.io/library/busybox:latest'],
  ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest'],
  ['gcr.io/library/busybox', 'gcr.io/library/busybox:latest'],
];

for (const [input, canonical] of dockerRefs) {
  test(`withDefaultTag(parseNormalizedReference(${input.slice(0, 40)})) is ${canonical.slice(0, 50)}`, () => {
    assert.equal(formatReference(withDefaultTag(parseNormalizedReference(input))), canonical);
  });
}

// TestValidateReferenceName and TestValidateRemoteName: names ParseNormalizedNamed accepts …
const validNames = [
  'docker/docker',
  'library/debian',
  'debian',
  'localhost/library/debian',
  'localhost/debian',
  'LOCALDOMAIN/library/debian',
  'LOCALDOMAIN/debian',
  'docker.io/docker/docker',
  'docker.io/library/debian',
  'docker.io/debian',
  'index.docker.io/docker/docker',
  'index.docker.io/library/debian',
  'index.docker.io/debian',
  '127.0.0.1:5000/docker/docker',
  '127.0.0.1:5000/library/debian',
  '127.0.0.1:5000/debian',
  '192.168.0.1',
  '192.168.0.1:80',
  '192.168.0.1:8/debian',
  '192.168.0.2:25000/debian',
  'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
  '[fc00::1]:5000/docker',
  '[fc00::1]:5000/docker/docker',
  '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
  'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  'Docker/docker',
  'DOCKER/docker',
  'docker-rules/docker',
  'docker---rules/docker',
  'doc/docker',
  'd/docker',
  'jess/t',
  'dock__er/docker',
];

for (const input of validNames) {
  test(`parseNormalizedReference accepts ${input.slice(0, 60)}`, () => {
    assert.doesNotThrow(() => parseNormalizedReference(input));
  });
}

// … and names it refuses.
const invalidNames = [
  'https://github.com/docker/docker',
  'docker/Docker',
  '-docker',
  '-docker/docker',
  '-docker.io/docker/docker',
  'docker///docker',
  'docker.io/docker/Docker',
  'docker.io/docker///docker',
  '[fc00::1]',
  '[fc00::1]:5000',
  'fc00::1:5000/debian',
  '[fe80::1%eth0]:5000/debian',
  '[2001:db8:3:4::192.0.2.33]:5000/debian',
  '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  'docker-/docker',
  '-docker-/docker',
  '____/____',
  '_docker/_docker',
  'dock..er/docker',
  'dock_.er/docker',
  'dock-.er/docker',
  'docker/',
  `${'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(3)}this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker`,
  '-foo',
];

for (const input of invalidNames) {
  test(`parseNormalizedReference refuses ${input.slice(0, 60)}`, () => {
    assert.throws(
      () => parseNormalizedReference(input),
      (e: unknown) => e instanceof CustomsError && e.code === 'IMAGE_REFERENCE_INVALID',
    );
  });
}

const normalisedBad: [input: string, message: RegExp][] = [
  ['Uppercase', /must be lowercase/],
  ['docker.io/Uppercase', /must be lowercase/],
  [F64, /64-byte hexadecimal/],
  ['nginx:', /invalid reference format/],
  ['foo/../bar', /invalid reference format/],
  ['http://x/y', /invalid reference format/],
];

for (const [input, message] of normalisedBad) {
  test(`parseNormalizedReference rejects ${input.slice(0, 50)}`, () => {
    assert.throws(
      () => parseNormalizedReference(input),
      (e: unknown) =>
        e instanceof CustomsError &&
        e.code === 'IMAGE_REFERENCE_INVALID' &&
        message.test(e.message) &&
        e.message.includes(input),
    );
  });
}
