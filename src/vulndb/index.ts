export type * from './types.js';
export { FIX_STATES } from './types.js';
export {
  normalizeEcosystem,
  distroEcosystem,
  osDistroKey,
  type OsReleaseLike,
  ecosystemFamily,
  packageKey,
  PURL_TYPE_ECOSYSTEM,
  purlTypeEcosystem,
  type LanguagePurlType,
  DEBIAN_CODENAMES,
} from './ecosystem.js';
export { scoreVector, cvssRating, severityFromScore, severityFromWord, type CvssScore } from './cvss.js';
export { openVulnDb } from './db-reader.js';
export { DbWriter, type SourceSink } from './db-writer.js';
export { buildDb } from './build-db.js';
export { SCHEMA_VERSION, CHANGE_HASH_VERSION } from './schema.js';
export { changedKeys, advisoryUid, type DbChanges, type KeyChange } from './change-hashes.js';
export { DEFAULT_FEEDS, resolveFeeds, parseFeedFlags, type FeedSource } from './feed-sources.js';
export { loadPaths, loadFile, jsonKind, FEED_KINDS, type FeedKind } from './load-feed.js';
export { updateVulnDb, type UpdateOptions } from './update-db.js';
export { importVulnDb, importDefaultFeeds, defaultFeedsDir } from './import-db.js';
export { exportVulnDb, importVulnDbBundle, isDbBundle } from './bundle.js';
export { vulnDbStatus, STALE_AFTER_DAYS, type DbStatus } from './db-status.js';
export { osvToAdvisory, ratingSourceFor } from './feeds/osv.js';
export type { FeedSink, EnrichmentPart } from './feeds/sink.js';
