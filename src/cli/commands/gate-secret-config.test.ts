/**
 * `customs gate --secret-config FILE` means what it means on `customs scan`:
 * the file's rules find what the built-in ones do not, its allow-rules drop
 * what they would find, and a bad file is refused the same way. The image is
 * an OCI layout written by the test, its secrets generated per run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeOciLayout } from '../../image/test-support/image-fixtures.js';
import { main } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'customs-gate-secret-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A GitHub personal access token shape (ghp_ + 36 base62 characters) the built-in rules find. */
const githubToken = () =>
  `ghp_${randomBytes(27)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'A')
    .slice(0, 36)}`;
const acmeToken = `acme_${randomBytes(16).toString('hex')}`;
const image = join(dir, 'layout');

before(() => {
  writeOciLayout(image, [
    {
      refName: 'app',
      image: {
        layers: [
          {
            files: [
              { path: 'app/settings.ini', data: `[service]\nacme = ${acmeToken}\n` },
              { path: 'app/fixtures/github.txt', data: `token: ${githubToken()}\n` },
            ],
          },
        ],
      },
    },
  ]);
  writeFileSync(
    join(dir, 'secrets.yaml'),
    [
      'rules:',
      '  - id: acme-service-token',
      '    title: ACME service token',
      '    severity: critical',
      '    keywords: [acme_]',
      "    regex: 'acme_(?<secret>[a-f0-9]{32})'",
      'allow-rules:',
      '  - id: test-fixtures',
      '    description: tokens of our own fixtures',
      "    paths: ['^app/fixtures/']",
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'bad.yaml'), 'rules:\n  - id: Not Kebab\n    regex: "(a+)+"\n');
});

interface SecretFinding {
  ruleId: string;
  path: string;
}

/** Run the CLI in-process; its exit status and the JSON it wrote to `out`. */
async function run(args: readonly string[], out?: string): Promise<{ code: number; stderr: string; doc?: unknown }> {
  const err: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => {
    err.push(String(s));
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    const code = await main([...args, '--no-cache', '-q']);
    return {
      code,
      stderr: err.join(''),
      ...(out !== undefined && code !== 2 && code !== 3 ? { doc: JSON.parse(readFileSync(out, 'utf8')) } : {}),
    };
  } finally {
    process.stderr.write = write;
    process.exitCode = 0;
  }
}

/** The secret findings of a scan or gate JSON document, as rule and path. */
const secretsOf = (doc: unknown): SecretFinding[] => {
  const d = doc as { result?: { secrets?: SecretFinding[] }; secrets?: SecretFinding[] };
  return (d.result?.secrets ?? d.secrets ?? [])
    .map((s) => ({ ruleId: s.ruleId, path: s.path }))
    .sort((a, b) => a.path.localeCompare(b.path));
};

test('gate --secret-config: its rules find, its allow-rules drop, exactly as on scan', async () => {
  const target = `oci:${image}:app`;
  const gate = (extra: readonly string[], out: string) =>
    run(
      [
        'gate',
        target,
        '--scanners',
        'secret',
        '--severity',
        'LOW,MEDIUM,HIGH,CRITICAL',
        '-f',
        'json',
        '-o',
        out,
        ...extra,
      ],
      out,
    );

  const plain = await gate([], join(dir, 'plain.json'));
  assert.equal(plain.code, 1, plain.stderr);
  const plainFound = secretsOf(plain.doc);
  assert.equal(plainFound.length, 1, JSON.stringify(plainFound));
  assert.match(plainFound[0]?.path ?? '', /app\/fixtures\/github\.txt$/);
  assert.notEqual(plainFound[0]?.ruleId, 'acme-service-token');

  const configured = await gate(['--secret-config', join(dir, 'secrets.yaml')], join(dir, 'configured.json'));
  assert.equal(configured.code, 1, configured.stderr);
  const found = secretsOf(configured.doc);
  assert.deepEqual(
    found.map((s) => s.ruleId),
    ['acme-service-token'],
    'the custom rule finds the ACME token; the allow-rule drops the fixture token',
  );
  assert.match(configured.stderr, /gate failed/);

  const scanned = await run(
    [
      'scan',
      target,
      '--scanners',
      'secret',
      '--secret-config',
      join(dir, 'secrets.yaml'),
      '-f',
      'json',
      '-o',
      join(dir, 'scan.json'),
    ],
    join(dir, 'scan.json'),
  );
  assert.equal(scanned.code, 0, scanned.stderr);
  assert.deepEqual(found, secretsOf(scanned.doc), 'gate and scan read the file the same way');

  // A file that is missing, or that is not a valid configuration, is refused before the image is read.
  const missing = await gate(['--secret-config', join(dir, 'absent.yaml')], join(dir, 'x.json'));
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--secret-config .*absent\.yaml/);
  const bad = await gate(['--secret-config', join(dir, 'bad.yaml')], join(dir, 'y.json'));
  const badScan = await run(['scan', target, '--scanners', 'secret', '--secret-config', join(dir, 'bad.yaml')]);
  assert.notEqual(bad.code, 0);
  assert.equal(bad.code, badScan.code);
  assert.match(bad.stderr, /SECRETS_CONFIG_INVALID/);
});
