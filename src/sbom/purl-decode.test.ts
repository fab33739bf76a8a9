import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { PackageURL } from 'packageurl-js';
import { type Ecosystem, OS_ECOSYSTEMS, type PackageFact, purlOf } from '../core/index.js';
import { type PurlComponents, purlSpecCases } from '../core/test-support/purl-spec.js';
import { type DecodedPurl, decodePurl } from './purl-decode.js';

const ok = (purl: string, name?: string) => {
  const r = decodePurl(purl, name);
  assert.ok(r.ok, `${purl}: ${r.ok ? '' : r.reason}`);
  return r.value;
};

/** The fields decodePurl gives for the spec's components: customs' model, mapped by the spec's type rules. */
function decodedOf(c: PurlComponents): DecodedPurl {
  const eco = c.type as Ecosystem;
  const q: Record<string, string> = { ...(c.qualifiers ?? {}) };
  const take = (k: string): string | undefined => {
    const v = q[k];
    delete q[k];
    return v;
  };
  let name = c.name;
  let version = c.version ?? '';
  let extra: Partial<DecodedPurl> = {};
  if (OS_ECOSYSTEMS.includes(eco)) {
    const arch = take('arch');
    const epoch = take('epoch');
    take('distro'); // the model keeps the distro on the OS, not on each package
    if (eco === 'deb' && epoch !== undefined && !version.includes(':')) version = `${epoch}:${version}`;
    extra = {
      ...(c.namespace === null ? {} : { namespace: c.namespace }),
      ...(arch === undefined ? {} : { arch }),
      ...(epoch === undefined || eco === 'deb' ? {} : { epoch: Number(epoch) }),
    };
  } else if (c.namespace !== null) {
    name = eco === 'maven' ? `${c.namespace}:${c.name}` : `${c.namespace}/${c.name}`;
  }
  return { ecosystem: eco, name, version, ...extra, ...(Object.keys(q).length > 0 ? { qualifiers: q } : {}) };
}

test("decodePurl agrees with the purl-spec's parse cases (components in, failures refused)", () => {
  const cases = purlSpecCases();
  // The spec's data contradicts itself on upper-case qualifier keys: a parse case says
  // "pkg:gem/x@1?Platform=java" must fail while a validate case turns the same input into
  // "…?platform=java" (and maven-test.json parses "repositorY_url"). Where a validate case
  // accepts the input, decodePurl must read it as that case's canonical purl.
  const canonical = new Map<string, string>();
  for (const c of cases) {
    if (c.kind === 'validate' && !c.expectedFailure && c.expected !== null) canonical.set(c.input, c.expected);
  }
  const wrong: string[] = [];
  let parsed = 0;
  let refused = 0;
  let contradicted = 0;
  for (const c of cases) {
    if (c.kind !== 'parse') continue;
    const r = decodePurl(c.input);
    const where = `${c.file} "${c.description}": ${c.input}`;
    if (c.expectedFailure || c.expected === null) {
      const accepted = canonical.get(c.input);
      if (accepted !== undefined) {
        contradicted++;
        const again = decodePurl(accepted);
        if (!r.ok || !again.ok || !isDeepStrictEqual(r.value, again.value))
          wrong.push(`${where}: not read as the spec's canonical ${accepted}`);
      } else {
        refused++;
        if (r.ok) wrong.push(`${where}: decoded, the spec says it is invalid`);
      }
      continue;
    }
    const want = decodedOf(c.expected);
    if (!r.ok) wrong.push(`${where}: refused: ${r.reason}`);
    else if (!isDeepStrictEqual(r.value, want))
      wrong.push(`${where}: gave ${JSON.stringify(r.value)}, spec ${JSON.stringify(want)}`);
    parsed++;
  }
  assert.deepEqual(wrong, []);
  assert.ok(parsed >= 50, `${parsed} parse cases`);
  assert.equal(refused + contradicted, 2, 'the vendored files have two parse failure cases');
});

test('what purlOf writes, packageurl-js reads back as the type rules say, and decodePurl returns the package', () => {
  const os = { family: 'rocky', version: '9.3', name: 'Rocky Linux 9.3' };
  // [package, components packageurl-js must read from its purl (type, namespace, name, version, qualifiers)]
  const cases: ReadonlyArray<readonly [PackageFact, readonly [string, string | undefined, string, string, object?]]> = [
    [{ ecosystem: 'npm', name: '@types/node', version: '20.11.0' }, ['npm', '@types', 'node', '20.11.0']],
    [
      { ecosystem: 'maven', name: 'org.springframework:spring-core', version: '6.1.4' },
      ['maven', 'org.springframework', 'spring-core', '6.1.4'],
    ],
    [
      { ecosystem: 'golang', name: 'github.com/sirupsen/logrus', version: 'v1.9.3' },
      ['golang', 'github.com/sirupsen', 'logrus', 'v1.9.3'],
    ],
    [
      { ecosystem: 'composer', name: 'symfony/console', version: 'v7.0.3' },
      ['composer', 'symfony', 'console', 'v7.0.3'],
    ],
    [{ ecosystem: 'gem', name: 'rack', version: '3.0.9' }, ['gem', undefined, 'rack', '3.0.9']],
    [
      { ecosystem: 'nuget', name: 'Newtonsoft.Json', version: '13.0.3' },
      ['nuget', undefined, 'Newtonsoft.Json', '13.0.3'],
    ],
    [{ ecosystem: 'cargo', name: 'tokio', version: '1.36.0' }, ['cargo', undefined, 'tokio', '1.36.0']],
    // PEP 503: the purl name is normalised; the SBOM's display name keeps the spelling.
    [
      { ecosystem: 'pypi', name: 'typing_extensions', version: '4.9.0' },
      ['pypi', undefined, 'typing-extensions', '4.9.0'],
    ],
  ];
  for (const [f, [type, namespace, name, version]] of cases) {
    const purl = purlOf(f);
    const p = PackageURL.fromString(purl);
    assert.deepEqual([p.type, p.namespace, p.name, p.version], [type, namespace, name, version], purl);
    const d = ok(purl, f.name);
    assert.deepEqual([d.ecosystem, d.name, d.version], [f.ecosystem, f.name, f.version], purl);
  }
  const rpm: PackageFact = {
    ecosystem: 'rpm',
    name: 'openssl-libs',
    version: '3.0.7-25.el9_3',
    epoch: 1,
    arch: 'x86_64',
    source: { name: 'openssl', version: '3.0.7-25.el9_3' },
  };
  const purl = purlOf(rpm, os);
  const p = PackageURL.fromString(purl);
  assert.deepEqual(
    [p.type, p.namespace, p.name, p.version, { ...p.qualifiers }],
    [
      'rpm',
      'rocky',
      'openssl-libs',
      '3.0.7-25.el9_3',
      { arch: 'x86_64', distro: 'rocky-9.3', epoch: '1', upstream: 'openssl' },
    ],
  );
  assert.deepEqual(ok(purl), {
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
