import { Command } from 'commander';
import { type Config, createContext, dbPath, defaultConfig, EXIT } from '../../core/index.js';
import type { DbMetadata, DbStatus } from '../../vulndb/index.js';
import { renderLog } from '../progress.js';
import { dbDirOption } from '../filters.js';

// The DB code (SQLite, feed parsers) loads when a subcommand runs, so `--help` stays fast.
const vulndb = () => import('../../vulndb/index.js');

interface DbFlags {
  dbDir?: string;
  quiet?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function contextFor(flags: DbFlags, signal: AbortSignal, extra: Partial<Config> = {}) {
  const base = defaultConfig();
  const log = renderLog({ quiet: flags.quiet === true, verbose: false, stream: process.stderr });
  const ctx = createContext({
    config: { ...base, ...(flags.dbDir ? { dbDir: flags.dbDir } : {}), ...extra },
    log,
    signal,
  });
  return Object.assign(ctx, { finish: log.finish });
}

function summary(meta: DbMetadata, path: string): string {
  const lines = [
    `vulnerability DB ${path}: ${meta.advisories ?? '?'} advisories, ${meta.cves ?? '?'} CVEs enriched, built ${meta.builtAt}`,
  ];
  for (const s of meta.sources) lines.push(`  ${s.name}: ${s.records} records, ${s.skipped} skipped`);
  return `${lines.join('\n')}\n`;
}

function formatStatus(s: DbStatus): string {
  const m = s.metadata;
  const days = Number.isFinite(s.ageDays)
    ? `${s.ageDays < 1 ? `${Math.round(s.ageDays * 24)} hours` : `${Math.floor(s.ageDays)} days`} old`
    : 'age unknown';
  const out = [
    `path:        ${s.path} (${(s.sizeBytes / 1024 / 1024).toFixed(1)} MiB)`,
    `schema:      ${m.schemaVersion}`,
    `built:       ${m.builtAt} (${days})`,
    `advisories:  ${m.advisories ?? '?'}`,
    `CVEs:        ${m.cves ?? '?'} with NVD / KEV / EPSS data`,
    'sources:',
  ];
  const w = Math.max(4, ...m.sources.map((x) => x.name.length));
  for (const x of m.sources) {
    const reasons = x.skipReasons
      ? ` (${Object.entries(x.skipReasons)
          .map(([r, n]) => `${n}× ${r}`)
          .join('; ')})`
      : '';
    out.push(
      `  ${x.name.padEnd(w)}  ${String(x.records).padStart(8)} records  ${String(x.skipped).padStart(6)} skipped  ${x.timestamp}  ${x.url}${reasons}`,
    );
  }
  for (const warning of s.warnings) out.push(`warning: ${warning}`);
  return `${out.join('\n')}\n`;
}

/** The options every `db` subcommand takes. */
function withDbDirOption(c: Command): Command {
  return c.addOption(dbDirOption()).option('-q, --quiet', 'no progress messages');
}

function updateCommand(signal: AbortSignal): Command {
  return withDbDirOption(
    new Command('update')
      .description(
        'Fetch the public feeds (OSV, Debian tracker, Alpine secdb, NVD, KEV, EPSS) and replace the DB atomically',
      )
      .option(
        '--feed <name=url>',
        'use URL for feed NAME (a mirror; repeatable; NAME= disables it); env CUSTOMS_FEED_<NAME>',
        collect,
        [],
      )
      .option('--timeout <seconds>', 'seconds to wait for each server to answer', '30'),
  )
    .addHelpText(
      'after',
      `
Feeds: ${'osv-debian osv-ubuntu osv-alpine osv-redhat osv-rocky osv-almalinux osv-suse osv-opensuse osv-wolfi osv-chainguard osv-npm osv-pypi osv-go osv-maven osv-cratesio osv-rubygems osv-packagist osv-nuget debian-tracker alpine-secdb nvd kev epss'}
(URLs: docs/vulndb.md). If a feed cannot be reached the update stops and the current DB stays as it is.

Examples:
  customs db update
  customs db update --feed nvd= --feed osv-npm=https://mirror.example/osv/npm/all.zip
  CUSTOMS_DB_DIR=/var/lib/customs/db customs db update -q
Offline? customs db import DIR (feed files) or customs db import customs-db.gz (a bundle).`,
    )
    .action(async (flags: DbFlags & { feed: string[]; timeout: string }) => {
      const { updateVulnDb, parseFeedFlags } = await vulndb();
      const ctx = contextFor(flags, signal);
      try {
        const timeout = Number(flags.timeout);
        const meta = await updateVulnDb(ctx, {
          feeds: parseFeedFlags(flags.feed),
          ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
          ...(process.env.NVD_API_KEY ? { nvdApiKey: process.env.NVD_API_KEY, nvdPageDelayMs: 700 } : {}),
        });
        ctx.finish();
        process.stderr.write(summary(meta, dbPath(ctx.config.dbDir)));
        process.exitCode = EXIT.ok;
      } finally {
        ctx.finish();
      }
    });
}

function importCommand(signal: AbortSignal): Command {
  return withDbDirOption(
    new Command('import')
      .description('Build the DB from local feed files or directories (air-gapped), or install an exported bundle')
      .argument(
        '<path...>',
        'feed files/directories (OSV JSON or all.zip, Debian tracker JSON, Alpine secdb, NVD 2.0, KEV, EPSS CSV), or one bundle',
      ),
  )
    .addHelpText(
      'after',
      `
Each file's format is detected from its contents. Bad records are skipped and counted (see customs db status).

Examples:
  customs db import test/feeds
  customs db import npm-all.zip PyPI-all.zip debian-tracker.json kev.json epss_scores-current.csv.gz
  customs db import customs-db.gz          # a bundle from customs db export, checked against customs-db.gz.sha256`,
    )
    .action(async (paths: string[], flags: DbFlags) => {
      const { importVulnDb } = await vulndb();
      const ctx = contextFor(flags, signal);
      try {
        const meta = await importVulnDb(paths, ctx);
        ctx.finish();
        process.stderr.write(summary(meta, dbPath(ctx.config.dbDir)));
        process.exitCode = EXIT.ok;
      } finally {
        ctx.finish();
      }
    });
}

function exportCommand(signal: AbortSignal): Command {
  return withDbDirOption(
    new Command('export')
      .description('Write the DB as a portable bundle FILE (gzip) and FILE.sha256')
      .argument('<file>', 'bundle to write'),
  )
    .addHelpText(
      'after',
      `
Examples:
  customs db export customs-db.gz
  # on the air-gapped machine, with both files copied over:
  sha256sum -c customs-db.gz.sha256 && customs db import customs-db.gz`,
    )
    .action(async (file: string, flags: DbFlags) => {
      const { exportVulnDb } = await vulndb();
      const ctx = contextFor(flags, signal);
      const { sha256 } = await exportVulnDb(ctx.config.dbDir, file);
      ctx.finish();
      process.stderr.write(`wrote ${file} and ${file}.sha256 (sha256 ${sha256})\n`);
      process.exitCode = EXIT.ok;
    });
}

function statusCommand(signal: AbortSignal): Command {
  return withDbDirOption(
    new Command('status')
      .description('Show the DB: age, sources, counts; warns when it is older than 7 days')
      .option('--json', 'print the status as JSON'),
  )
    .addHelpText(
      'after',
      `
Exit status: 0 (also when stale: the warning goes to stderr), 3 when there is no usable DB.

Examples:
  customs db status
  customs db status --json --db-dir /var/lib/customs/db`,
    )
    .action(async (flags: DbFlags & { json?: boolean }) => {
      const { vulnDbStatus } = await vulndb();
      const ctx = contextFor(flags, signal);
      const status = vulnDbStatus(ctx.config.dbDir, ctx.now());
      ctx.finish();
      if (flags.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else {
        process.stdout.write(formatStatus({ ...status, warnings: [] }));
        for (const w of status.warnings) process.stderr.write(`customs: warning: ${w}\n`);
      }
      process.exitCode = EXIT.ok;
    });
}

export function dbCommand(signal: AbortSignal): Command {
  return new Command('db')
    .description('Build, update, move and inspect the vulnerability DB')
    .addCommand(updateCommand(signal))
    .addCommand(importCommand(signal))
    .addCommand(exportCommand(signal))
    .addCommand(statusCommand(signal));
}
