/**
 * CISA Known Exploited Vulnerabilities catalog
 * (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json,
 * schema https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json):
 * { catalogVersion, dateReleased, vulnerabilities: [ { cveID, dateAdded, dueDate,
 * knownRansomwareCampaignUse: "Known"|"Unknown" } ] }.
 */
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CVE_ID, type FeedSink, schemaReason } from './sink.js';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const ItemSchema = Type.Object({
  cveID: Type.String({ pattern: CVE_ID.source }),
  dateAdded: Type.String({ pattern: DATE }),
  dueDate: Type.Optional(Type.String({ pattern: DATE })),
  knownRansomwareCampaignUse: Type.Optional(Type.String({ maxLength: 32 })),
});
const checkItem = TypeCompiler.Compile(ItemSchema);
const FileSchema = Type.Object({
  catalogVersion: Type.Optional(Type.String()),
  dateReleased: Type.Optional(Type.String()),
  vulnerabilities: Type.Array(Type.Unknown()),
});
const checkFile = TypeCompiler.Compile(FileSchema);

export function parseKev(json: unknown, sink: FeedSink, where = 'kev'): { timestamp?: string } {
  if (!checkFile.Check(json)) {
    sink.skip(schemaReason(checkFile, json), where);
    return {};
  }
  json.vulnerabilities.forEach((item, i) => {
    if (!checkItem.Check(item)) {
      sink.skip(schemaReason(checkItem, item), `${where}: vulnerabilities[${i}]`);
      return;
    }
    sink.enrichment({
      cve: item.cveID,
      kev: {
        dateAdded: item.dateAdded,
        ...(item.dueDate !== undefined ? { dueDate: item.dueDate } : {}),
        ...(item.knownRansomwareCampaignUse !== undefined
          ? { ransomware: item.knownRansomwareCampaignUse === 'Known' }
          : {}),
      },
    });
  });
  return json.dateReleased !== undefined ? { timestamp: json.dateReleased } : {};
}
