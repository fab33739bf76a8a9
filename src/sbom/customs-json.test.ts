import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CustomsError } from '../core/index.js';
import { testdata } from '../core/test-support/testdata.js';
import { parseCustomsJson, toCustomsJson } from './customs-json.js';
import { inventoryJsonSchema } from './inventory-schema.js';
import { assertGolden } from '../core/test-support/golden.js';
import { sampleInventory } from './test-support/sample-inventory.js';
import { inventorySchemaValidator } from './test-support/validators.js';

const schemaFile = new URL('../../schema/inventory-v1.json', import.meta.url);

test('schema/inventory-v1.json is the JSON Schema generated from the TypeBox schema', () => {
  const generated = `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
  // The published file is a golden file: UPDATE_GOLDEN=1 regenerates it.
  assertGolden(schemaFile.pathname, generated);
  const parsed = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  assert.equal(parsed.$schema, 'https://json-schema.org/draft/2020-12/schema');
});

test('customs JSON of the sample inventory matches the golden file and the published schema', () => {
  const json = toCustomsJson(sampleInventory());
  assertGolden(testdata(import.meta.url, 'golden', 'sample.customs.json'), json);
  assert.equal(inventorySchemaValidator()(json), '');
});

test('customs JSON is deterministic and sorts packages and unknowns by their documented keys', () => {
  const inv = sampleInventory();
  const reversed = { ...inv, packages: [...inv.packages].reverse(), unknowns: [...inv.unknowns].reverse() };
  assert.equal(toCustomsJson(inv), toCustomsJson(inv));
  assert.equal(toCustomsJson(reversed), toCustomsJson(inv));
  const doc = JSON.parse(toCustomsJson(inv)) as { packages: { ecosystem: string }[]; unknowns: { layer: string }[] };
  assert.equal(doc.packages[0]?.ecosystem, 'cargo');
  // The apt layer (L2) comes before the app layer (L3), whatever their diffIDs.
  assert.equal(doc.unknowns[0]?.layer, inv.target.layers[1]?.diffID);
});

test('parseCustomsJson round-trips the inventory exactly', () => {
  const inv = sampleInventory();
  const back = parseCustomsJson(toCustomsJson(inv));
  assert.equal(toCustomsJson(back), toCustomsJson(inv));
  assert.deepEqual(new Set(back.packages.map((p) => p.purl)), new Set(inv.packages.map((p) => p.purl)));
});

function sbomError(f: () => unknown): CustomsError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CustomsError, `expected a CustomsError, got ${String(e)}`);
    assert.equal(e.code, 'SBOM_INVALID');
    return e;
  }
  assert.fail('expected SBOM_INVALID');
}

test('parseCustomsJson lists every bad field', () => {
  const doc = JSON.parse(toCustomsJson(sampleInventory())) as Record<string, unknown> & {
    packages: Record<string, unknown>[];
    target: Record<string, unknown>;
  };
  doc.createdAt = 'yesterday';
  doc.target.configDigest = 'sha256:xyz';
  (doc.packages[0] as Record<string, unknown>).ecosystem = 'cobol';
  delete (doc.packages[1] as Record<string, unknown>).version;
  (doc.packages[2] as Record<string, unknown>).surprise = true;
  const e = sbomError(() => parseCustomsJson(JSON.stringify(doc)));
  assert.match(e.message, /\/packages\/0\/ecosystem: expected one of deb, rpm, .*, found "cobol"/);
  for (const path of [
    '/createdAt',
    '/target/configDigest',
    '/packages/0/ecosystem',
    '/packages/1/version',
    '/packages/2/surprise',
  ]) {
    assert.ok(e.message.includes(path), `message names ${path}:\n${e.message}`);
  }
});

test('parseCustomsJson refuses a package with an empty name (nothing could match or name it)', () => {
  const doc = JSON.parse(toCustomsJson(sampleInventory())) as { packages: Record<string, unknown>[] };
  (doc.packages[0] as Record<string, unknown>).name = '';
  const e = sbomError(() => parseCustomsJson(JSON.stringify(doc)));
  assert.ok(e.message.includes('/packages/0/name'), e.message);
});

test('parseCustomsJson refuses non-JSON, other schema versions and non-objects with clear messages', () => {
  assert.match(sbomError(() => parseCustomsJson('{"schemaVersion": 1,')).message, /not valid JSON/);
  assert.match(sbomError(() => parseCustomsJson('{"schemaVersion": 2}')).message, /schemaVersion 2 is not supported/);
  assert.match(sbomError(() => parseCustomsJson('[]')).message, /does not match schema v1/);
  assert.match(sbomError(() => parseCustomsJson('null')).message, /does not match schema v1/);
});

test('parseCustomsJson bounds its error list on hostile input', () => {
  const doc = JSON.parse(toCustomsJson(sampleInventory())) as { packages: unknown[] };
  doc.packages = Array.from({ length: 5000 }, () => ({ bogus: 1 }));
  const e = sbomError(() => parseCustomsJson(JSON.stringify(doc)));
  assert.match(e.message, /… and \d+ more/);
  assert.ok(e.message.length < 20_000, `message length ${e.message.length}`);
});

test('the published schema does reject a broken inventory (ajv, independent of TypeBox)', () => {
  const d = JSON.parse(toCustomsJson(sampleInventory())) as { packages: Record<string, unknown>[] };
  (d.packages[0] as Record<string, unknown>).ecosystem = 'cobol';
  assert.match(inventorySchemaValidator()(JSON.stringify(d)), /\/packages\/0\/ecosystem/);
});
