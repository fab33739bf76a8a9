import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CustomsError } from '../../core/index.js';
import { checkTester } from '../test-support/check-tester.js';
import { checkDockerfile, checkHistory } from './check-dockerfile.js';

const PINNING = ['CUS-DF-001', 'CUS-DF-002', 'CUS-DF-003'];

test('USER is judged on the final stage only, and a stage built on a stage inherits its USER', () => {
  const text = 'FROM debian:12@sha256:' + 'a'.repeat(64) + ' AS base\nUSER app\nFROM base\nHEALTHCHECK CMD ["true"]\n';
  checkTester('CUS-DF-004').dockerfile(text).passes();
  checkTester('CUS-DF-004').dockerfile('FROM alpine:3.20 AS b\nUSER app\nFROM alpine:3.20\n').fires(3);
  checkTester('CUS-DF-005').dockerfile('FROM alpine:3.20\nUSER 0:0\n').fires(2);
});

test('HEALTHCHECK is judged on the final stage, which inherits it from the stage it is built on', () => {
  const pinned = `FROM debian:12@sha256:${'a'.repeat(64)}`;
  checkTester('CUS-DF-025').dockerfile(`${pinned} AS app\nHEALTHCHECK CMD ["true"]\nFROM app\n`).passes();
  checkTester('CUS-DF-025').dockerfile(`${pinned} AS app\nHEALTHCHECK NONE\nFROM app AS again\nFROM again\n`).passes();
  // Another stage's HEALTHCHECK is not inherited by a final stage built on something else.
  checkTester('CUS-DF-025').dockerfile(`${pinned} AS app\nHEALTHCHECK CMD ["true"]\n${pinned}\n`).fires(3);
});

test('ARG substitution in FROM; unresolved ARGs and stage names are not pinning findings', () => {
  checkTester('CUS-DF-002').dockerfile('ARG V=latest\nFROM node:${V}\n').fires(2);
  for (const id of PINNING) {
    checkTester(id).dockerfile('ARG IMG\nFROM ${IMG}\n').passes();
    checkTester(id).dockerfile('FROM scratch\n').passes();
  }
});

test('apt hygiene in one RUN across continuation lines and comments', () => {
  const good =
    'FROM debian:12\nRUN apt-get update \\\n  # tools\n  && apt-get install -y --no-install-recommends curl=7.88.1-10 \\\n  && rm -rf /var/lib/apt/lists/*\n';
  for (const id of ['CUS-DF-006', 'CUS-DF-007', 'CUS-DF-016', 'CUS-DF-024']) checkTester(id).dockerfile(good).passes();
  const bad = 'FROM debian:12\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get -q install -y curl\n';
  for (const id of ['CUS-DF-006', 'CUS-DF-007', 'CUS-DF-016']) checkTester(id).dockerfile(bad).fires(2);
  // Lists come from `apt-get update`: an install that fetched none leaves none (hadolint DL3009).
  checkTester('CUS-DF-007')
    .dockerfile('FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=1\n')
    .passes();
});

test('secrets: literal values only, evidence redacted, GPG_KEY and *_FILE are not secrets', () => {
  const found = checkDockerfile(
    'FROM a:1\nENV DB_PASSWORD=hunter2 POSTGRES_PASSWORD_FILE=/run/s GPG_KEY=ABC\nARG TOKEN\nARG GITHUB_TOKEN=${CI_TOKEN}\n',
    'D',
  );
  const secrets = found.filter((f) => f.checkId === 'CUS-DF-011');
  assert.equal(secrets.length, 1);
  assert.doesNotMatch(JSON.stringify(found), /hunter2/);
});

test('curl | sh variants; a download to a file is fine', () => {
  checkTester('CUS-DF-017').dockerfile('FROM a:1\nRUN wget -qO- https://x | env sh -s --\n').fires(2);
  checkTester('CUS-DF-017').dockerfile('FROM a:1\nRUN sh -c "$(curl -fsSL https://x)"\n').fires(2);
  checkTester('CUS-DF-017')
    .dockerfile('FROM a:1\nRUN curl -fsSLo /tmp/x https://x && sha256sum -c x.sha256\n')
    .passes();
});

test('ADD: local archive is fine, local file wants COPY, URL without --checksum', () => {
  const text =
    'FROM a:1\nADD rootfs.tar.gz /\nADD app /app\nADD --checksum=sha256:' +
    'b'.repeat(64) +
    ' https://x/y /y\nADD https://x/z /z\n';
  const lines = (id: string) =>
    checkTester(id)
      .dockerfile(text)
      .findings()
      .map((f) => f.location?.startLine);
  assert.deepEqual(lines('CUS-DF-009'), [3]);
  assert.deepEqual(lines('CUS-DF-010'), [5]);
});

test('history: classic, BuildKit and build-arg forms; no false positives from COPY dir:<hash> or base ADD file:<hash>', () => {
  const history = [
    { created_by: '/bin/sh -c #(nop) ADD file:5b1e63a3cb04 in / ' },
    { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    { created_by: '/bin/sh -c #(nop) COPY dir:3a8d1f in /app ' },
    { created_by: '/bin/sh -c #(nop) WORKDIR /app' },
    {
      created_by:
        '|2 NPM_TOKEN=abc123 VERSION=1 /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*',
    },
    { created_by: 'RUN /bin/sh -c curl -fsSL https://get.example.com | bash # buildkit' },
    { created_by: 'EXPOSE map[22/tcp:{} 80/tcp:{}]', empty_layer: true },
    { created_by: 'CMD ["node" "server.js"]', empty_layer: true },
  ];
  const found = checkHistory(history, 'app:1');
  assert.deepEqual(found.map((f) => f.checkId).sort(), ['CUS-DF-011', 'CUS-DF-017', 'CUS-DF-018']);
  assert.doesNotMatch(JSON.stringify(found), /abc123/);
  assert.ok(
    found.every((f) => f.target === 'app:1' && f.location === undefined && /history entry \d+/.test(f.message)),
  );
});

test('hostile Dockerfiles give findings or an input error, never another exception', () => {
  // Texts that are not Dockerfiles (no FROM, FROM without an image) are input errors since they
  // cannot be checked; everything else is checked. Nothing may throw anything but CONFIG_INPUT_INVALID.
  const inputErrors = ['', 'FROM', 'RUN "unterminated', '\\\n\\\n', 'ADD', 'EXPOSE 1-99999999'];
  for (const t of inputErrors) {
    assert.throws(
      () => checkDockerfile(t, 'D'),
      (e: unknown) => e instanceof CustomsError && e.code === 'CONFIG_INPUT_INVALID' && e.message.startsWith('D: '),
      JSON.stringify(t),
    );
  }
  for (const t of ['FROM a\nCMD [1, 2]', 'FROM a\nRUN <<EOF\necho\n', 'FROM a\nEXPOSE 1-99999999', 'FROM a\nADD']) {
    assert.doesNotThrow(() => checkDockerfile(t, 'D'), JSON.stringify(t));
  }
});
