import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Package, purlOf } from '../core/index.js';
import { parseCustomsJson, toCustomsJson } from './customs-json.js';
import { parseCycloneDx, toCycloneDx } from './cyclonedx.js';
import { parseSpdx, toSpdx } from './spdx.js';
import { toTable } from './table.js';
import { sampleInventory } from './test-support/sample-inventory.js';
import { inventorySchemaValidator, spdxSchemaValidator, validateCycloneDx16 } from './test-support/validators.js';
import type { Inventory } from './types.js';

/** An awkward but legal inventory: no OS, no manifest digest, odd names, clashing ids, empty fields. */
function awkwardInventory(): Inventory {
  const inv = sampleInventory();
  const first = inv.packages[0] as Package;
  const { os: _os, ...noOs } = inv;
  const { manifestDigest: _m, ...target } = inv.target;
  const withPurl = (p: Package): Package => ({ ...p, purl: purlOf(p) });
  const odd: Package[] = [
    { ...first, id: 'dup', name: 'naïve pkg 名前', version: '', paths: [], license: '   ' },
    { ...first, id: 'dup', name: 'second', license: 'mit' },
    { ...first, id: 'has/slash and space', name: 'third', license: 'GPL-2.0+ WITH Classpath-exception-2.0' },
    { ...first, id: '###', name: 'fourth', license: 'LicenseRef-custom' },
  ].map(withPurl);
  return {
    ...noOs,
    target: {
      ...target,
      name: 'docker-archive:/tmp/weird name.tar',
      transport: 'docker-archive',
      repoDigests: [],
      repoTags: [],
    },
    packages: odd,
    unknowns: [],
  };
}

test('awkward inventories still give schema-valid customs JSON, CycloneDX 1.6 and SPDX 2.3', async () => {
  const inv = awkwardInventory();
  assert.equal(inventorySchemaValidator()(toCustomsJson(inv)), '');
  assert.equal(await validateCycloneDx16(toCycloneDx(inv)), '');
  assert.equal(spdxSchemaValidator()(toSpdx(inv)), '');
  assert.ok(toTable(inv).includes('naïve pkg 名前'));
});

test('awkward inventories round-trip their package ids and licences through every format', () => {
  const inv = awkwardInventory();
  const want = inv.packages.map((p) => [p.id, p.name, p.license]);
  const fromCdx = parseCycloneDx(toCycloneDx(inv)).packages;
  const fromSpdx = parseSpdx(toSpdx(inv)).packages;
  const fromJson = parseCustomsJson(toCustomsJson(inv)).packages;
  const names = (list: readonly { id: string; name: string; license?: string }[]) =>
    list.map((p) => [p.id, p.name, p.license]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
  const sorted = [...want].sort((a, b) => String(a[1]).localeCompare(String(b[1])));
  assert.deepEqual(names(fromJson), sorted);
  assert.deepEqual(names(fromCdx), sorted);
  assert.deepEqual(names(fromSpdx), sorted);
});

test('an invalid createdAt is refused for SPDX (created is required) and omitted from CycloneDX', () => {
  const inv = { ...sampleInventory(), createdAt: 'not a date' };
  assert.throws(() => toSpdx(inv), /createdAt "not a date"/);
  const cdx = JSON.parse(toCycloneDx(inv)) as { metadata: Record<string, unknown> };
  assert.equal(cdx.metadata.timestamp, undefined);
});
