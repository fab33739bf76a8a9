import {
  type OsInfo,
  type PackageFact,
  type Package,
  purlOf,
  sha256,
  stableJson,
  type Unknown,
} from '../../core/index.js';
import type { Inventory, InventoryLayer } from '../types.js';

/**
 * A realistic, hand-built inventory (synthetic, written by this test code):
 * a Debian 12 image with three layers — debootstrap base, `apt-get install`,
 * and an application layer with npm, Python, Maven, Go and Rust packages —
 * and two files that could not be analysed. Versions are those of real
 * Debian bookworm and registry releases; digests are hashes of labels.
 * Lists are given out of order on purpose: writers must sort them.
 */
export const OS: OsInfo = {
  family: 'debian',
  version: '12',
  name: 'Debian GNU/Linux 12 (bookworm)',
  codename: 'bookworm',
};

const layer = (label: string, createdBy: string): InventoryLayer => ({
  diffID: sha256(`diff:${label}`),
  digest: sha256(`blob:${label}`),
  size: 1000 + label.length,
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  createdBy,
});

export const LAYERS = [
  layer('base', '/bin/sh -c #(nop) ADD file:debootstrap-bookworm.tar in / '),
  layer('apt', 'RUN /bin/sh -c apt-get update && apt-get install -y openssh-client python3 # buildkit'),
  layer('app', 'COPY app /app # buildkit'),
] as const;

const [BASE, APT, APP] = LAYERS;

function pkg(fact: PackageFact, layerDiffID: string, path: string): Package {
  const isOs = fact.ecosystem === 'deb' || fact.ecosystem === 'rpm' || fact.ecosystem === 'apk';
  return {
    ...fact,
    id: sha256(stableJson([fact.ecosystem, fact.name, fact.version, fact.arch ?? '', path])).slice(7, 23),
    purl: purlOf(fact, isOs ? OS : undefined),
    paths: [path],
    layer: layerDiffID,
  };
}

const STATUS = 'var/lib/dpkg/status';

export const PACKAGES: Package[] = [
  pkg(
    { ecosystem: 'npm', name: 'lodash', version: '4.17.21', license: 'MIT' },
    APP.diffID,
    'app/node_modules/lodash/package.json',
  ),
  pkg(
    {
      ecosystem: 'deb',
      name: 'openssh-client',
      version: '1:9.2p1-2+deb12u3',
      arch: 'amd64',
      source: { name: 'openssh', version: '1:9.2p1-2+deb12u3' },
      license: 'BSD-2-clause',
    },
    APT.diffID,
    STATUS,
  ),
  pkg(
    {
      ecosystem: 'deb',
      name: 'libc6',
      version: '2.36-9+deb12u7',
      arch: 'amd64',
      source: { name: 'glibc', version: '2.36-9+deb12u7' },
    },
    BASE.diffID,
    STATUS,
  ),
  pkg(
    {
      ecosystem: 'deb',
      name: 'libssl3',
      version: '3.0.15-1~deb12u1',
      arch: 'amd64',
      source: { name: 'openssl', version: '3.0.15-1~deb12u1' },
      license: 'Apache-2.0',
    },
    APT.diffID,
    STATUS,
  ),
  pkg(
    {
      ecosystem: 'deb',
      name: 'zlib1g',
      version: '1:1.2.13.dfsg-1',
      arch: 'amd64',
      source: { name: 'zlib', version: '1:1.2.13.dfsg-1' },
      license: 'Zlib',
    },
    BASE.diffID,
    STATUS,
  ),
  pkg(
    {
      ecosystem: 'deb',
      name: 'perl-base',
      version: '5.36.0-7+deb12u1',
      arch: 'amd64',
      source: { name: 'perl', version: '5.36.0-7+deb12u1' },
      license: 'GPL-1+ or Artistic',
    },
    BASE.diffID,
    STATUS,
  ),
  pkg(
    { ecosystem: 'npm', name: '@babel/core', version: '7.24.0', license: 'MIT' },
    APP.diffID,
    'app/node_modules/@babel/core/package.json',
  ),
  pkg(
    { ecosystem: 'pypi', name: 'Jinja2', version: '3.1.3', license: 'BSD-3-Clause' },
    APP.diffID,
    'usr/local/lib/python3.11/site-packages/Jinja2-3.1.3.dist-info/METADATA',
  ),
  pkg(
    { ecosystem: 'pypi', name: 'requests', version: '2.31.0', license: 'Apache 2.0' },
    APP.diffID,
    'usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA',
  ),
  pkg(
    {
      ecosystem: 'maven',
      name: 'org.apache.logging.log4j:log4j-core',
      version: '2.17.1',
      license: 'Apache-2.0',
      meta: { artifactId: 'log4j-core', groupId: 'org.apache.logging.log4j' },
    },
    APP.diffID,
    'app/lib/log4j-core-2.17.1.jar',
  ),
  pkg(
    { ecosystem: 'maven', name: 'com.fasterxml.jackson.core:jackson-databind', version: '2.15.2' },
    APP.diffID,
    'app/app.war!/WEB-INF/lib/jackson-databind-2.15.2.jar',
  ),
  pkg({ ecosystem: 'golang', name: 'github.com/spf13/cobra', version: 'v1.8.0' }, APP.diffID, 'app/bin/server'),
  pkg({ ecosystem: 'golang', name: 'stdlib', version: 'v1.22.1' }, APP.diffID, 'app/bin/server'),
  pkg(
    { ecosystem: 'cargo', name: 'serde', version: '1.0.197', license: 'MIT OR Apache-2.0' },
    APP.diffID,
    'app/bin/worker',
  ),
];

export const UNKNOWNS: Unknown[] = [
  {
    path: 'app/lib/broken.jar',
    layer: APP.diffID,
    analyzer: 'java-archive',
    code: 'ANALYZE_ARCHIVE_CORRUPT',
    message: 'zip central directory not found',
  },
  {
    path: 'usr/lib/python3/dist-packages/odd-1.0.dist-info/METADATA',
    layer: APT.diffID,
    analyzer: 'python-metadata',
    code: 'ANALYZE_TOO_LARGE',
    message: 'file is 80 MiB, over the 64 MiB cap',
  },
];

export function sampleInventory(): Inventory {
  return {
    schemaVersion: 1,
    tool: { name: 'customs', version: '0.1.0-test' },
    createdAt: '2024-05-01T12:34:56.789Z',
    target: {
      name: 'registry.example.com:5000/shop/web:1.4.2',
      transport: 'registry',
      manifestDigest: sha256('manifest'),
      configDigest: sha256('config'),
      repoDigests: [`registry.example.com:5000/shop/web@${sha256('manifest')}`],
      repoTags: ['registry.example.com:5000/shop/web:1.4.2'],
      platform: 'linux/amd64',
      created: '2024-04-30T08:00:00Z',
      labels: {
        'org.opencontainers.image.version': '1.4.2',
        'org.opencontainers.image.source': 'https://example.com/shop',
      },
      layers: [...LAYERS],
    },
    os: OS,
    packages: PACKAGES,
    unknowns: UNKNOWNS,
  };
}
