/** A FeedSink that keeps everything, for parser tests. */
import type { Advisory } from '../types.js';
import type { EnrichmentPart, FeedSink } from './sink.js';

export interface CollectedFeed extends FeedSink {
  readonly advisories: Advisory[];
  readonly enrichments: EnrichmentPart[];
  readonly skips: { reason: string; where: string }[];
}

export function collectSink(): CollectedFeed {
  const advisories: Advisory[] = [];
  const enrichments: EnrichmentPart[] = [];
  const skips: { reason: string; where: string }[] = [];
  return {
    advisories,
    enrichments,
    skips,
    advisory: (a) => advisories.push(a),
    enrichment: (e) => enrichments.push(e),
    skip: (reason, where) => skips.push({ reason, where }),
  };
}
