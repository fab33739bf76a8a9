import { CustomsError } from '../../core/index.js';

/**
 * Work budgets for reading rpm databases. The databases come from images we do
 * not control: every amount of work or memory the readers spend is bounded by
 * the size of the bytes they were given, so a small crafted database cannot
 * turn into gigabytes of decoded data or minutes of CPU. docs/security.md
 * ("rpm database budgets") lists these numbers and why they hold.
 */

/**
 * Packages (header blobs) read from one database. A whole distribution
 * installed at once stays far below this (Fedora ships about 75,000 binary
 * packages; real systems hold a few thousand); each package costs a header
 * parse, so the cap bounds that work independently of every other check.
 */
export const RPMDB_MAX_PACKAGES = 200_000;

/**
 * Header-blob bytes decoded from one database, per byte of the database file.
 * Every backend stores each blob byte exactly once in the file (SQLite cell
 * payload plus its overflow pages, a Berkeley DB item or its overflow chain,
 * an ndb block run), so the blobs of a real database add up to less than the
 * file: decoding more proves that storage is shared between records.
 */
export const BLOB_BYTES_PER_DATABASE_BYTE = 1;

/**
 * File-path characters built from one header, per byte of that header. A path
 * is DIRNAMES[i] + BASENAMES[j]; a directory name is stored once but shared by
 * every file in it, while each file costs its header at least ~60 bytes
 * (basename, dir index, size, mode, mtime, flags, owner, group, inode, digest…).
 * Paths per header byte therefore stay below (directory length / 60): 16 allows
 * directories nearly 1,000 characters deep. Real databases measure at most 0.6
 * (SUSE BCI 15's ca-certificates-mozilla-prebuilt; testdata/rpm).
 */
export const PATH_CHARS_PER_HEADER_BYTE = 16;

/** Added to a header's path budget: one PATH_MAX (4096), so a tiny header with one deep path passes. */
export const PATH_CHARS_PER_HEADER_SLACK = 4096;

/**
 * File-path characters built from one database, per byte of the database
 * file. Real databases measure 0.002 (RHEL 8 libuuid) to 0.13 (a small bdb
 * database) path characters per file byte: a database is mostly other tags,
 * digests and indexes. 2 leaves a 15-fold margin and keeps the paths of the
 * largest file the walker hands over (256 MiB) within a few hundred MiB.
 */
export const PATH_CHARS_PER_DATABASE_BYTE = 2;

/** Added to a database's path budget: 16 MiB, room for one package with deep paths in a small database. */
export const PATH_CHARS_PER_DATABASE_SLACK = 16 * 1024 * 1024;

/**
 * A running total with a ceiling, one per database and kind of decoded data.
 * `spend` throws ANALYZE_LIMIT_EXCEEDED naming the database, the ceiling and
 * the rule that set it, so the walker records an Unknown for the file.
 */
export class DecodeBudget {
  #spent = 0;

  constructor(
    private readonly source: string,
    private readonly unit: string,
    readonly limit: number,
    private readonly rule: string,
  ) {}

  spend(amount: number, what: string): void {
    if (amount > this.limit - this.#spent) {
      throw overBudget(
        this.source,
        `${what} would bring the ${this.unit} decoded from this database to ${this.#spent + amount}, past its budget of ${this.limit} (${this.rule})`,
      );
    }
    this.#spent += amount;
  }
}

/** The header-blob budget of a database of `size` bytes. */
export function blobBudget(source: string, size: number): DecodeBudget {
  return new DecodeBudget(
    source,
    'header-blob bytes',
    BLOB_BYTES_PER_DATABASE_BYTE * size,
    `${BLOB_BYTES_PER_DATABASE_BYTE} × its ${size} bytes: a real database stores each blob byte once`,
  );
}

/** The file-path budget of a database of `size` bytes. */
export function pathBudget(source: string, size: number): DecodeBudget {
  return new DecodeBudget(
    source,
    'file-path characters',
    PATH_CHARS_PER_DATABASE_BYTE * size + PATH_CHARS_PER_DATABASE_SLACK,
    `${PATH_CHARS_PER_DATABASE_BYTE} × its ${size} bytes + ${PATH_CHARS_PER_DATABASE_SLACK}`,
  );
}

/** A database past one of the budgets above. */
export function overBudget(source: string, what: string): CustomsError {
  return new CustomsError(
    'ANALYZE_LIMIT_EXCEEDED',
    `${source}: ${what}; the RPM database is likely crafted or corrupt, so it is not read`,
  );
}

/** The package cap, checked before each blob is taken. */
export function checkPackageCount(source: string, count: number): void {
  if (count >= RPMDB_MAX_PACKAGES) {
    throw overBudget(source, `more than ${RPMDB_MAX_PACKAGES} packages (RPMDB_MAX_PACKAGES)`);
  }
}

/** A database whose records share or revisit storage: no real writer produces that. */
export function craftedDatabase(source: string, why: string): CustomsError {
  return new CustomsError('ANALYZE_FILE_INVALID', `${source}: ${why}; the RPM database is likely crafted or corrupt`);
}
