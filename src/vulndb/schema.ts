/**
 * The DB file's layout. Bump SCHEMA_VERSION on any change a reader of the old
 * version would misread; readers refuse other versions (VULNDB_SCHEMA_UNSUPPORTED).
 *
 *   meta(key, value)                 schema_version, built_at, sources (JSON), counts
 *   advisory(rowid, id, source, withdrawn, json)      each advisory once, as JSON
 *   affected(ecosystem, name, advisory, idx)          (ecosystem, package key) → advisory.affected[idx]
 *   alias(id, advisory)                               advisory ID and aliases → advisory
 *   ecosystem(name)                                   every ecosystem key with data
 *   enrichment(cve, nvd, published, kev, epss_*)      NVD CVSS, CISA KEV, FIRST EPSS by CVE
 */
export const SCHEMA_VERSION = 1;

export const CREATE_TABLES = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE advisory (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL, withdrawn INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE affected (ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory INTEGER NOT NULL, idx INTEGER NOT NULL);
CREATE TABLE alias (id TEXT NOT NULL, advisory INTEGER NOT NULL);
CREATE TABLE ecosystem (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE enrichment (cve TEXT PRIMARY KEY, nvd TEXT, published TEXT, kev TEXT, epss_score REAL, epss_percentile REAL, epss_date TEXT) WITHOUT ROWID;
`;

/** Built after the bulk insert: one sort instead of a b-tree update per row. */
export const CREATE_INDEXES = `
CREATE INDEX affected_by_package ON affected (ecosystem, name);
CREATE INDEX alias_by_id ON alias (id);
`;
