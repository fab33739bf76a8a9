/**
 * NVD CVE API 2.0 responses (https://nvd.nist.gov/developers/vulnerabilities):
 * { format: "NVD_CVE", version: "2.0", timestamp, vulnerabilities: [ { cve: { id,
 * published, metrics: { cvssMetricV40|V31|V30|V2: [ { source, type: Primary|Secondary,
 * cvssData: { version, vectorString, baseScore } } ] } } } ] }.
 * Scores are recomputed from the vectors (cvss.ts). NVD's own ("Primary") rating is
 * "nvd"; a CNA's ("Secondary") is "cna:<source>".
 */
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { cvssRating } from '../cvss.js';
import type { SeverityRating } from '../types.js';
import { CVE_ID, type FeedSink, schemaReason } from './sink.js';

const Metric = Type.Object({
  source: Type.Optional(Type.String({ maxLength: 256 })),
  type: Type.Optional(Type.String({ maxLength: 64 })),
  cvssData: Type.Object({
    version: Type.Optional(Type.String()),
    vectorString: Type.String({ minLength: 1, maxLength: 400 }),
  }),
});
const Metrics = Type.Array(Metric, { maxItems: 100 });
const ItemSchema = Type.Object({
  cve: Type.Object({
    id: Type.String({ pattern: CVE_ID.source }),
    published: Type.Optional(Type.String({ maxLength: 64 })),
    vulnStatus: Type.Optional(Type.String()),
    metrics: Type.Optional(
      Type.Object({
        cvssMetricV40: Type.Optional(Metrics),
        cvssMetricV31: Type.Optional(Metrics),
        cvssMetricV30: Type.Optional(Metrics),
        cvssMetricV2: Type.Optional(Metrics),
      }),
    ),
  }),
});
const checkItem = TypeCompiler.Compile(ItemSchema);
const FileSchema = Type.Object({
  timestamp: Type.Optional(Type.String()),
  totalResults: Type.Optional(Type.Number()),
  resultsPerPage: Type.Optional(Type.Number()),
  startIndex: Type.Optional(Type.Number()),
  vulnerabilities: Type.Array(Type.Unknown()),
});
const checkFile = TypeCompiler.Compile(FileSchema);

export interface NvdPage {
  readonly timestamp?: string;
  readonly totalResults?: number;
  readonly count: number;
}

export function parseNvd(json: unknown, sink: FeedSink, where = 'nvd'): NvdPage {
  if (!checkFile.Check(json)) {
    sink.skip(schemaReason(checkFile, json), where);
    return { count: 0 };
  }
  json.vulnerabilities.forEach((item, i) => {
    if (!checkItem.Check(item)) {
      sink.skip(schemaReason(checkItem, item), `${where}: vulnerabilities[${i}]`);
      return;
    }
    const { id, published, metrics } = item.cve;
    if (item.cve.vulnStatus === 'Rejected') return; // a rejected CVE carries no rating
    const severity: SeverityRating[] = [];
    for (const list of [
      metrics?.cvssMetricV40,
      metrics?.cvssMetricV31,
      metrics?.cvssMetricV30,
      metrics?.cvssMetricV2,
    ]) {
      for (const m of list ?? []) {
        const source = m.type === 'Secondary' ? `cna:${m.source ?? 'unknown'}` : 'nvd';
        const r = cvssRating(source, m.cvssData.vectorString);
        if (r) severity.push(r);
        else sink.skip('invalid CVSS vector (rating dropped)', `${where}: ${id}`);
      }
    }
    sink.enrichment({ cve: id, nvd: { severity, ...(published !== undefined ? { published } : {}) } });
  });
  return {
    count: json.vulnerabilities.length,
    ...(json.timestamp !== undefined ? { timestamp: json.timestamp } : {}),
    ...(json.totalResults !== undefined ? { totalResults: json.totalResults } : {}),
  };
}
