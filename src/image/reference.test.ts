/**
 * Cases from distribution/reference's reference_test.go (TestReferenceParse)
 * and normalize_test.go (github.com/distribution/reference), plus the
 * normalisation users rely on (`nginx:1.25` → docker.io/library/nginx:1.25).
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
  [`${'a/'.repeat(128)}a:tag`, /longer than 255/],
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
