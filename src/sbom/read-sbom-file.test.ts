import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSbomText } from './read-sbom-file.js';

const now = new Date('2026-01-01T00:00:00Z');

function cyclonedx(component: object | undefined): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    ...(component ? { metadata: { component } } : {}),
    components: [{ type: 'library', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' }],
  });
}

test('an SBOM subject with an empty name is named by the file, as a missing subject is', () => {
  const empty = parseSbomText(cyclonedx({ type: 'application', name: '' }), 'app.cdx.json', now);
  const missing = parseSbomText(cyclonedx(undefined), 'app.cdx.json', now);
  assert.equal(empty.inventory.target.name, 'app.cdx.json');
  assert.equal(missing.inventory.target.name, 'app.cdx.json');
  const named = parseSbomText(cyclonedx({ type: 'application', name: 'shop' }), 'app.cdx.json', now);
  assert.equal(named.inventory.target.name, 'shop');
});
