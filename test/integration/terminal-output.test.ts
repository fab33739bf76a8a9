/**
 * What customs prints about a hostile image cannot drive the terminal. A
 * docker-archive is written here whose manifest names a layer with escape
 * sequences, a line break and a bidi override, built to erase customs' error
 * and print a green "scan passed" line in its place; the archive does not
 * hold that layer, so the CLI fails and quotes the name. Its stderr must carry
 * no control or bidi character, and every line must be customs' own: the
 * first starts with "customs:", the others are indented.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTar, writeDockerArchive } from '../../src/image/test-support/image-fixtures.js';
import { freshDir, runCustoms } from '../support/images.js';

const FORGED = '\u001b[1A\u001b[2K\r\u001b[32m✔ scan passed, 0 vulnerabilities\u001b[0m\n\u202egat.reyal/\u2066x\u2069';

function unsafeIn(s: string): string[] {
  return [...s].filter((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (
      (n < 0x20 && n !== 0x0a) ||
      (n >= 0x7f && n <= 0x9f) ||
      (n >= 0x202a && n <= 0x202e) ||
      (n >= 0x2066 && n <= 0x2069)
    );
  });
}

test('an error quoting a hostile layer name from the manifest is printed safely', async () => {
  const dir = await freshDir('terminal-output');
  const archive = join(dir, 'hostile.tar');
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [`sha256:${'0'.repeat(64)}`] },
  });
  const manifest = JSON.stringify([{ Config: 'config.json', RepoTags: ['hostile:1'], Layers: [FORGED] }]);
  writeFileSync(
    archive,
    makeTar([
      { path: 'config.json', data: config },
      { path: 'manifest.json', data: manifest },
    ]),
  );
  const r = await runCustoms(['sbom', `docker-archive:${archive}`], { CUSTOMS_CACHE_DIR: join(dir, 'cache') });
  assert.equal(r.code, 3, r.stderr);
  assert.deepEqual(unsafeIn(r.stderr), [], JSON.stringify(r.stderr));
  const lines = r.stderr.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^customs: /);
  for (const l of lines.slice(1)) assert.match(l, /^ {2}/, `a line of its own: ${JSON.stringify(l)}`);
  // The name is still shown, its escapes as "?".
  assert.match(r.stderr, /\?\[1A\?\[2K\?\?\[32m✔ scan passed/);
  assert.equal(r.stdout, '');
});

test('the gate verdict quoting a hostile label value is printed safely', async () => {
  const dir = await freshDir('terminal-output-gate');
  const archive = join(dir, 'labelled.tar');
  writeDockerArchive(archive, [
    {
      tags: ['labelled:1'],
      image: {
        layers: [{ files: [{ path: 'etc/', type: 'dir' }] }],
        config: { Labels: { maintainer: `ops${FORGED}` }, User: 'app' },
      },
    },
  ]);
  const policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    'apiVersion: customs/v1\nkind: Policy\nrules:\n  - id: maintainer\n    action: fail\n    message: maintainer label\n    image:\n      requiredLabels: [{ name: maintainer, pattern: "^team-" }]\n',
  );
  const r = await runCustoms(['gate', `docker-archive:${archive}`, '--scanners', 'misconfig', '--policy', policy], {
    CUSTOMS_CACHE_DIR: join(dir, 'cache'),
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /label maintainer="ops\?\[1A\?\[2K\?\?\[32m✔ scan passed/, r.stdout);
  assert.deepEqual(unsafeIn(r.stdout), [], JSON.stringify(r.stdout));
  assert.deepEqual(unsafeIn(r.stderr), [], JSON.stringify(r.stderr));
  assert.ok(!/^✔/m.test(r.stdout), "no line of the image's making");
});
