/**
 * `customs scan host [ROOT]`: a host's own root filesystem scanned with the image
 * engine (the dir: transport), so its Debian packages and its language packages
 * are matched exactly as an image's are. The root here is a tree the test writes
 * (a bookworm dpkg status with an old curl and an npm lodash), not this machine's /,
 * which would take minutes on a shared machine; `scan host` alone is `dir:/`.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { freshDir, REPO_ROOT, runCustoms } from '../support/images.js';

let work: string;
let db: string;
let root: string;

const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const STATUS = `Package: curl
Status: install ok installed
Priority: optional
Section: web
Installed-Size: 500
Maintainer: Alessandro Ghedini <ghedo@debian.org>
Architecture: amd64
Version: 7.88.1-10+deb12u1
Depends: libc6 (>= 2.34)
Description: command line tool for transferring data with URL syntax

`;

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

before(async () => {
  work = await freshDir('scan-host');
  db = join(work, 'db');
  const imported = await runCustoms(['db', 'import', join(REPO_ROOT, 'test', 'feeds'), '--db-dir', db, '-q']);
  assert.equal(imported.code, 0, imported.stderr);
  root = join(work, 'root');
  await put('etc/os-release', OS_RELEASE);
  await put('var/lib/dpkg/status', STATUS);
  await put('srv/app/node_modules/lodash/package.json', `${JSON.stringify({ name: 'lodash', version: '4.17.20' })}\n`);
});

interface ScanJson {
  vulnerabilities?: { id: string; package?: { name?: string } }[];
  results?: unknown;
}

const ids = (stdout: string): string[] => {
  const doc = JSON.parse(stdout) as ScanJson & Record<string, unknown>;
  const vulns = (doc.vulnerabilities ?? []) as { id: string }[];
  return vulns.map((v) => v.id).sort();
};

test('scan host ROOT finds the OS and language package vulnerabilities, as dir:ROOT does', async () => {
  const host = await runCustoms(['scan', 'host', root, '--scanners', 'vuln', '-f', 'json', '--db', db, '--no-cache']);
  assert.equal(host.code, 0, host.stderr);
  const found = ids(host.stdout);
  assert.ok(found.includes('CVE-2023-38545'), `curl (deb) ${found.join(' ')}`);
  assert.ok(found.includes('CVE-2021-23337'), `lodash (npm) ${found.join(' ')}`);
  const dir = await runCustoms(['scan', `dir:${root}`, '--scanners', 'vuln', '-f', 'json', '--db', db, '--no-cache']);
  assert.equal(dir.code, 0, dir.stderr);
  assert.deepEqual(found, ids(dir.stdout));
});

test('scan --help names the host target', async () => {
  const r = await runCustoms(['scan', '--help']);
  assert.match(r.stdout, /customs scan host {2,}/);
});
