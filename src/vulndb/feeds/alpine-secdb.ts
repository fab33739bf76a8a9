/**
 * Alpine secdb (https://secdb.alpinelinux.org/v3.19/main.json): { distroversion:
 * "v3.19", reponame, packages: [ { pkg: { name, secfixes: { VERSION: [ "CVE-… …" ] } } } ] }.
 * `secfixes` comes from the APKBUILDs (https://wiki.alpinelinux.org/wiki/APKBUILD_Reference#secfixes):
 * a flaw listed under VERSION is fixed in VERSION; under "0" the package was never affected.
 * pkg.name is the origin (source) package. One advisory per CVE for the file's release.
 */
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { normalizeEcosystem } from '../ecosystem.js';
import type { AffectedPackage, Advisory } from '../types.js';
import { type FeedSink, schemaReason } from './sink.js';

const PackageSchema = Type.Object({
  pkg: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9][A-Za-z0-9+._-]*$' }),
    secfixes: Type.Record(
      Type.String({ minLength: 1, maxLength: 256 }),
      Type.Union([Type.Array(Type.String({ maxLength: 4096 })), Type.Null()]),
    ),
  }),
});
const checkPackage = TypeCompiler.Compile(PackageSchema);
const FileSchema = Type.Object({
  distroversion: Type.String({ pattern: '^v?\\d+\\.\\d+$|^edge$' }),
  reponame: Type.Optional(Type.String()),
  packages: Type.Array(Type.Unknown()),
});
const checkFile = TypeCompiler.Compile(FileSchema);

/** IDs named in secfixes lines ("CVE-2023-1234", "CVE-2023-1 CVE-2023-2", "XSA-123 CVE-…"). */
const ID = /\b(CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|XSA-\d+)\b/g;

export function parseAlpineSecdb(json: unknown, sink: FeedSink, where = 'alpine-secdb'): void {
  if (!checkFile.Check(json)) {
    sink.skip(schemaReason(checkFile, json), where);
    return;
  }
  const ecosystem = normalizeEcosystem(`Alpine:${json.distroversion}`) ?? `Alpine:${json.distroversion}`;
  const byId = new Map<string, AffectedPackage[]>();
  json.packages.forEach((p, i) => {
    if (!checkPackage.Check(p)) {
      sink.skip(schemaReason(checkPackage, p), `${where}: packages[${i}]`);
      return;
    }
    const name = p.pkg.name;
    for (const [version, lines] of Object.entries(p.pkg.secfixes)) {
      for (const line of lines ?? []) {
        for (const m of line.matchAll(ID)) {
          const id = m[1] ?? '';
          const list = byId.get(id) ?? [];
          const i = list.findIndex((a) => a.name === name);
          const prev = i >= 0 ? list[i] : undefined;
          if (version === '0') {
            if (!prev) list.push({ ecosystem, name, ranges: [], versions: [], state: 'not-affected' });
          } else {
            // Listed under several versions (an incomplete first fix): one range per listing; ranges
            // are alternatives (OSV), so anything below the highest listed version counts as affected.
            const range = { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] } as const;
            const ranges = prev && prev.state === 'fixed' ? [...prev.ranges, range] : [range];
            const next: AffectedPackage = { ecosystem, name, ranges, versions: [], state: 'fixed' };
            if (i >= 0) list[i] = next;
            else list.push(next);
          }
          byId.set(id, list);
        }
      }
    }
  });
  for (const [id, affected] of byId) {
    const advisory: Advisory = {
      id,
      aliases: [],
      references: [`https://security.alpinelinux.org/vuln/${id}`],
      severity: [],
      affected,
      source: 'alpine-secdb',
    };
    sink.advisory(advisory);
  }
}
