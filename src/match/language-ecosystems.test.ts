import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ECOSYSTEMS, OS_ECOSYSTEMS } from '../core/index.js';
import { DEFAULT_FEEDS, normalizeEcosystem } from '../vulndb/index.js';
import { LANGUAGE_ECOSYSTEMS } from './language-ecosystems.js';

// LANGUAGE_ECOSYSTEMS takes its OSV names from vulndb's PURL_TYPE_ECOSYSTEM; these tie them to the DB's keys and feeds.
test('every language purl type has one entry, and its OSV name is the key the DB stores', () => {
  const language = ECOSYSTEMS.filter((e) => !OS_ECOSYSTEMS.includes(e));
  assert.deepEqual(LANGUAGE_ECOSYSTEMS.map((e) => e.ecosystem).sort(), [...language].sort());
  for (const e of LANGUAGE_ECOSYSTEMS) {
    assert.equal(normalizeEcosystem(e.osv), e.osv, `${e.ecosystem} → ${e.osv}`);
    // OSV publishes each ecosystem at <bucket>/<name>/all.zip; a default feed must fetch it.
    const path = `/${encodeURIComponent(e.osv)}/all.zip`;
    assert.ok(
      DEFAULT_FEEDS.some((f) => f.kind === 'osv' && f.url.endsWith(path)),
      `no default OSV feed for ${e.osv}`,
    );
  }
});
