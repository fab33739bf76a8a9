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
 *   advisory_hash(uid, id, withdrawn, hash, keys)     content hash and keys per advisory (change-hashes.ts)
 *   key_hash(ecosystem, name, hash)                   content hash per (ecosystem, package key)
 *
 * The two hash tables and meta `change_hashes` came after version 1 without a
 * bump: a version-1 reader never reads them (nothing it reads changed), and a
 * file without them is still a valid version-1 DB that just cannot say what
 * changed since another one (changedKeys answers "re-match everything").
 */
export const SCHEMA_VERSION = 1;

/**
 * The meaning of advisory_hash / key_hash (meta `change_hashes`). Bump it when
 * the hashed material changes: two DBs with different values are not compared
 * key by key.
 */
export const CHANGE_HASH_VERSION = 1;

export const CREATE_TABLES = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE advisory (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL, withdrawn INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE affected (ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory INTEGER NOT NULL, idx INTEGER NOT NULL);
CREATE TABLE alias (id TEXT NOT NULL, advisory INTEGER NOT NULL);
CREATE TABLE ecosystem (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE enrichment (cve TEXT PRIMARY KEY, nvd TEXT, published TEXT, kev TEXT, epss_score REAL, epss_percentile REAL, epss_date TEXT) WITHOUT ROWID;
CREATE TABLE advisory_hash (uid TEXT PRIMARY KEY, id TEXT NOT NULL, withdrawn INTEGER NOT NULL, hash TEXT NOT NULL, keys TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE key_hash (ecosystem TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (ecosystem, name)) WITHOUT ROWID;
`;

/** Built after the bulk insert: one sort instead of a b-tree update per row. */
export const CREATE_INDEXES = `
CREATE INDEX affected_by_package ON affected (ecosystem, name);
CREATE INDEX alias_by_id ON alias (id);
`;
