import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ECOSYSTEMS, type Ecosystem, type OsInfo, type PackageFact } from './model.js';
import { purlOf } from './purl.js';
import { type PurlComponents, purlSpecCases } from './test-support/purl-spec.js';

const debian = { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)' };

test('OS packages carry distro, arch, epoch and upstream qualifiers; + is percent-encoded', () => {
  assert.equal(
    purlOf(
      {
        ecosystem: 'deb',
        name: 'libc6',
        version: '2.36-9+deb12u7',
        arch: 'amd64',
        source: { name: 'glibc', version: '2.36-9+deb12u7' },
      },
      debian,
    ),
    'pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc',
  );
  assert.equal(
    purlOf(
      { ecosystem: 'rpm', name: 'openssl', version: '3.0.7-24.el9', epoch: 1, arch: 'x86_64' },
      { family: 'rocky', version: '9.3', name: 'Rocky' },
    ),
    'pkg:rpm/rocky/openssl@3.0.7-24.el9?arch=x86_64&distro=rocky-9.3&epoch=1',
  );
});

test('language purls follow their type rules', () => {
  assert.equal(purlOf({ ecosystem: 'npm', name: '@babel/core', version: '7.0.0' }), 'pkg:npm/%40babel/core@7.0.0');
  assert.equal(
    purlOf({ ecosystem: 'pypi', name: 'Django_REST.framework', version: '3.0' }),
    'pkg:pypi/django-rest-framework@3.0',
  );
  assert.equal(
    purlOf({ ecosystem: 'maven', name: 'org.apache:commons-lang3', version: '3.12.0' }),
    'pkg:maven/org.apache/commons-lang3@3.12.0',
  );
  assert.equal(
    purlOf({ ecosystem: 'golang', name: 'github.com/google/uuid', version: 'v1.3.0' }),
    'pkg:golang/github.com/google/uuid@v1.3.0',
  );
});

test('a Maven artifact without a known group gets a generic purl, not an exception', () => {
  assert.equal(purlOf({ ecosystem: 'maven', name: 'foo', version: '1.0' }), 'pkg:generic/foo@1.0?ecosystem=maven');
});

const OS_FALLBACK: Readonly<Record<string, string>> = { deb: 'debian', rpm: 'redhat', apk: 'alpine' };

/**
 * The package (and OS) that the spec's components describe in customs' model,
 * or why the model cannot say it: subpaths are not kept, an OS package's
 * namespace comes from the image's OS (which also sets the distro qualifier).
 */
function modelOf(c: PurlComponents): { fact: PackageFact; os?: OsInfo } | string {
  if (!(ECOSYSTEMS as readonly string[]).includes(c.type)) return `type ${c.type} is not an ecosystem`;
  if (c.subpath !== null) return 'subpaths are not in the package model';
  const eco = c.type as Ecosystem;
  const q: Record<string, string> = { ...(c.qualifiers ?? {}) };
  let name = c.name;
  let os: OsInfo | undefined;
  const extra: { arch?: string; epoch?: number } = {};
  if (eco === 'deb' || eco === 'rpm' || eco === 'apk') {
    const family = c.namespace ?? OS_FALLBACK[eco] ?? '';
    const release = q.distro?.startsWith(`${family}-`) ? q.distro.slice(family.length + 1) : undefined;
    if (release !== undefined) {
      os = { family, version: release, name: family };
      delete q.distro;
    } else if (family !== OS_FALLBACK[eco]) {
      return `namespace ${family} without a "${family}-RELEASE" distro comes only with an OS`;
    }
    if (q.upstream !== undefined) return 'upstream is built from the source package';
    if (q.arch !== undefined) extra.arch = q.arch;
    if (q.epoch !== undefined) extra.epoch = Number(q.epoch);
    delete q.arch;
    delete q.epoch;
  } else if (eco === 'maven') {
    if (c.namespace === null) return 'a Maven artifact without its group';
    name = `${c.namespace}:${c.name}`;
  } else if (c.namespace !== null) {
    name = `${c.namespace}/${c.name}`;
  }
  const fact: PackageFact = {
    ecosystem: eco,
    name,
    version: c.version ?? '',
    ...extra,
    ...(Object.keys(q).length > 0 ? { qualifiers: q } : {}),
  };
  return os === undefined ? { fact } : { fact, os };
}

test("purlOf builds the purl-spec's canonical purl for every build case the model can express", () => {
  const checked = new Map<string, number>();
  const wrong: string[] = [];
  const left: string[] = [];
  for (const c of purlSpecCases()) {
    if (c.kind !== 'build' || c.expectedFailure || c.expected === null) continue;
    const m = modelOf(c.input);
    if (typeof m === 'string') {
      left.push(`${c.file}: ${m}`);
      continue;
    }
    const got = purlOf(m.fact, m.os);
    if (got !== c.expected) wrong.push(`${c.file} "${c.description}": ${got}, spec ${c.expected}`);
    checked.set(c.input.type, (checked.get(c.input.type) ?? 0) + 1);
  }
  assert.deepEqual(wrong, []);
  // Every ecosystem is covered, and what is left out is only what the model cannot say.
  assert.deepEqual([...checked.keys()].sort(), [...ECOSYSTEMS].sort());
  const total = [...checked.values()].reduce((a, b) => a + b, 0);
  assert.ok(total >= 45, `only ${total} cases checked`);
  assert.ok(
    left.every((why) => /subpaths|namespace ubuntu/.test(why)),
    left.join('\n'),
  );
});
