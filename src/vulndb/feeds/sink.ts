/**
 * What a feed parser emits. Parsers validate each record at the boundary and
 * hand over trusted values, or call `skip` with a reason: a bad record is
 * counted, never fatal (issue 3, "Feeds").
 */
import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import type { Advisory, CveEnrichment } from '../types.js';

/** One feed's contribution to a CVE's enrichment row; fields left out are not touched. */
export interface EnrichmentPart {
  readonly cve: string;
  readonly nvd?: { readonly severity: CveEnrichment['severity']; readonly published?: string };
  readonly kev?: NonNullable<CveEnrichment['kev']>;
  readonly epss?: NonNullable<CveEnrichment['epss']>;
}

export interface FeedSink {
  advisory(a: Advisory): void;
  enrichment(e: EnrichmentPart): void;
  /** `reason` is a short category counted in the DB metadata; `where` names the record (file, id). */
  skip(reason: string, where: string): void;
}

/** A reason for a schema failure: the first bad field and what was expected, e.g. "schema: /modified: Expected string". */
export function schemaReason<T extends TSchema>(check: TypeCheck<T>, value: unknown): string {
  const first = check.Errors(value).First();
  return first ? `schema: ${first.path || '/'}: ${first.message}` : 'schema: invalid';
}

/** CVE IDs per https://www.cve.org/ResourcesSupport/FAQs#pc_cve_recordsformat: CVE-YYYY-NNNN+. */
export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
