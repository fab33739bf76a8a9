import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CustomsError, EXIT } from '../../core/index.js';
import { openLayerCache } from '../cache.js';
import { type ImageFlags, contextFrom, imageOptions } from '../options.js';
import { writeOutput } from '../output.js';

// The pipeline loads when the command runs, so `--help` and `--version` start fast.
const engine = () => import('../../engine/index.js');
const report = () => import('../../report/index.js');

export const SCAN_FORMATS = ['table', 'json'] as const;
type ScanFormat = (typeof SCAN_FORMATS)[number];

interface ScanFlags extends ImageFlags {
  readonly format: ScanFormat;
  readonly output?: string;
  readonly db?: string;
}

/** --db takes the DB file or the directory holding customs.db. */
function dbFile(flag: string | undefined, dbDir: string): string {
  if (flag === undefined) return join(dbDir, 'customs.db');
  const isDir = (() => {
    try {
      return statSync(flag).isDirectory();
    } catch {
      return false;
    }
  })();
  return isDir ? join(flag, 'customs.db') : flag;
}

export function scanCommand(signal: AbortSignal): Command {
  const cmd = new Command('scan')
    .description('Find known vulnerabilities in an image or an SBOM (OS and language packages)')
    .argument('<target>', 'image (as for `customs sbom`, see `customs help targets`) or an SBOM file (CycloneDX, SPDX or customs JSON)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(SCAN_FORMATS).default('table'))
    .option('-o, --output <file>', 'write to FILE instead of stdout (written atomically)')
    .option('--db <path>', 'vulnerability DB file or directory (default: customs.db in CUSTOMS_DB_DIR)');
  for (const o of imageOptions()) cmd.addOption(o);
  cmd.addHelpText(
    'after',
    `
Examples:
  customs db import test/feeds                     # once: build the DB (or customs db update)
  customs scan debian:12
  customs scan docker-archive:app.tar -f json -o scan.json
  customs scan sbom.cdx.json                       # CycloneDX / SPDX / customs JSON input
  customs scan oci:./layout --db /srv/customs/db

Findings are sorted by severity, then package; the JSON schema is schema/scan-result-v1.json
(docs/scan.md). Exit status: 0 ok (findings included), 2 usage error, 3 input error
(bad image or SBOM, no vulnerability DB).`,
  );
  cmd.action(async (target: string, flags: ScanFlags) => {
    // Issue 5 dispatches `customs scan dockerfile PATH` and `customs scan k8s PATH` here,
    // to scanConfigTarget(kind, path, …), before the image / SBOM path below.
    const ctx = contextFrom(flags, signal);
    const dbPath = dbFile(flags.db, ctx.config.dbDir);
    const { isSbomFile, scanImage, scanSbom } = await engine();
    const cache = ctx.config.cache ? await openLayerCache(ctx.config.cacheDir) : undefined;
    try {
      const result = (await isSbomFile(target))
        ? await scanSbom(target, ctx, { dbPath })
        : await scanImage(target, ctx, { dbPath, ...(cache ? { cache } : {}) });
      ctx.finish();
      if (ctx.config.strict && result.inventory.unknowns.length > 0) {
        const first = result.inventory.unknowns[0];
        throw new CustomsError(
          'ANALYZE_INCOMPLETE',
          `${result.inventory.unknowns.length} file(s) could not be analysed (first: /${first?.path}: ${first?.message}); --strict makes that fatal`,
        );
      }
      const { renderScanJson, renderScanTable } = await report();
      const tty = flags.output === undefined && process.stdout.isTTY === true;
      const text = flags.format === 'json' ? renderScanJson(result) : renderScanTable(result, { color: tty, width: process.stdout.columns ?? 120 });
      await writeOutput(text, flags.output);
      process.exitCode = EXIT.ok;
    } finally {
      ctx.finish();
      cache?.close();
    }
  });
  return cmd;
}
