/**
 * SBOM documents as an attacker writes them: nesting far past anything a
 * reader walks, keys named after Object.prototype members, and (customs JSON)
 * build history written in clear by an older customs or by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCustomsError } from '../core/index.js';
import { parseCustomsJson, toCustomsJson } from './customs-json.js';
import { parseCycloneDx, toCycloneDx } from './cyclonedx.js';
import { debianShortName } from './license-debian.js';
import { parseSpdx } from './spdx.js';
import { sampleInventory } from './test-support/sample-inventory.js';

function sbomError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isCustomsError(e), String(e));
    assert.equal(e.code, 'SBOM_INVALID');
    return e.message;
  }
  assert.fail('expected SBOM_INVALID');
}

const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

test('every JSON SBOM reader refuses nesting past the bound as SBOM_INVALID, naming where', () => {
  const n = 200_000;
  assert.match(
    sbomError(() => parseCycloneDx(`{"bomFormat":"CycloneDX","specVersion":"1.5","x":${deep(n)}}`)),
    /^CycloneDX: nested more than 256 levels deep at \/x\/0\/0\//,
  );
  assert.match(
    sbomError(() => parseSpdx(`{"spdxVersion":"SPDX-2.3","packages":[{"externalRefs":${deep(n)}}]}`)),
    /^SPDX: nested more than 256 levels deep at \/packages\/0\/externalRefs\//,
  );
  assert.match(
    sbomError(() => parseCustomsJson(`{"schemaVersion":1,"target":{"labels":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}}`)),
    /^customs inventory JSON: nested more than 256 levels deep at \/target\/labels\/a\//,
  );
});

test('keys named __proto__ are kept as data, in the customs JSON writer and the CycloneDX reader', () => {
  const inv = sampleInventory();
  const labelled = { ...inv, target: { ...inv.target, labels: { ['__proto__']: 'x', constructor: 'y' } } };
  const back = parseCustomsJson(toCustomsJson(labelled));
  assert.deepEqual(Object.entries(back.target.labels ?? {}), [
    ['__proto__', 'x'],
    ['constructor', 'y'],
  ]);
  const pkg = inv.packages[0];
  assert.ok(pkg);
  const cdx = JSON.parse(toCycloneDx({ ...inv, packages: [{ ...pkg, meta: { ['__proto__']: 'm' } }] })) as {
    components: { properties?: { name: string; value: string }[] }[];
  };
  const imported = parseCycloneDx(JSON.stringify(cdx));
  assert.ok(imported.packages.some((p) => p.meta !== undefined && Object.hasOwn(p.meta, '__proto__')));
});

test('Debian licence short names that are Object.prototype members are not licences', () => {
  for (const name of Object.getOwnPropertyNames(Object.prototype)) {
    assert.equal(
      debianShortName(name, (id) => id),
      undefined,
      name,
    );
    assert.equal(
      debianShortName(`${name}-2+`, (id) => id),
      undefined,
      name,
    );
  }
  assert.equal(
    debianShortName('GPL-2+', (id) => id),
    'GPL-2.0-or-later',
  );
});

test('customs JSON read back has its history and labels redacted like a scan', () => {
  const token = `ghp_${'Zq81Lmx9Kp'.repeat(3)}Ab12Cd`;
  const inv = sampleInventory();
  const [first, ...rest] = inv.target.layers;
  assert.ok(first);
  const leaky = {
    ...inv,
    target: {
      ...inv.target,
      labels: { 'ci.token': token },
      layers: [{ ...first, createdBy: `|1 GITHUB_TOKEN=${token} /bin/sh -c make` }, ...rest],
    },
  };
  const back = parseCustomsJson(JSON.stringify(JSON.parse(toCustomsJson(leaky))));
  assert.ok(!JSON.stringify(back).includes(token));
  assert.match(back.target.layers[0]?.createdBy ?? '', /^\|1 GITHUB_TOKEN=ghp_\*+ \/bin\/sh -c make$/);
  assert.deepEqual(back.target.layers.slice(1), rest);
});
