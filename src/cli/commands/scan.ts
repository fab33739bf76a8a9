import { Command, Option } from 'commander';
import { CustomsError, DB_FILE, EXIT } from '../../core/index.js';
import type { ScanPlan } from '../../engine/index.js';
import { SCAN_FORMATS, SCAN_WRITERS, type ScanFormat } from '../../report/index.js';
import { parseScanners, SCANNERS } from '../../result/index.js';
import { dbDirOption, type FilterFlags, filterOptions, filtersOf } from '../filters.js';
import { renderTarget, withImageContext } from '../image-command.js';
import { dbFile, type ImageFlags, imageOptions, readFlagFile } from '../options.js';
import { chosenFormat, writeOutput } from '../output.js';
import { distroOf, distroOption, secretConfigOf, secretConfigOption } from '../plan-options.js';

// The pipeline loads when the command runs, so `--help` and `--version` start fast.
const engine = () => import('../../engine/index.js');
const report = () => import('../../report/index.js');

/** What a Dockerfile or manifest scan writes: every format with a place for misconfigurations. */
const CONFIG_FORMATS: readonly ScanFormat[] = SCAN_WRITERS.filter(
  (w) => !('kinds' in w) || (w.kinds as readonly string[]).includes('misconfig'),
).map((w) => w.format);

interface ScanFlags extends ImageFlags, FilterFlags {
  readonly format: ScanFormat;
  readonly output?: string;
  readonly db?: string;
  readonly dbDir?: string;
  readonly scanners?: string;
  readonly secretConfig?: string;
  readonly ioc?: string;
  readonly clamd?: string;
  readonly distro?: string;
}

/** The scan plan of the flags (engine ScanPlan): scanners, secrets config, IOC list, clamd. */
async function scanPlanOf(flags: ScanFlags): Promise<ScanPlan> {
  const scanners = flags.scanners === undefined ? SCANNERS : parseScanners(flags.scanners);
  const distro = await distroOf(flags.distro);
  const analyze = await import('../../analyze/index.js');
  const secretConfig = await secretConfigOf(flags.secretConfig);
  const iocs = flags.ioc === undefined ? undefined : analyze.loadIocList(await readFlagFile('--ioc', flags.ioc));
  const clamd =
    flags.clamd === undefined ? undefined : { addr: flags.clamd, dbVersion: await analyze.clamdVersion(flags.clamd) };
  return {
    scanners,
    ...(secretConfig ? { secretConfig } : {}),
    ...(iocs ? { iocs } : {}),
    ...(clamd ? { clamd } : {}),
    ...(distro ? { distro } : {}),
  };
}

export function scanCommand(signal: AbortSignal): Command {
  const cmd = new Command('scan')
    .description(
      'Find vulnerabilities, secrets, misconfigurations, malware and licences in an image; or check a Dockerfile or Kubernetes manifests',
    )
    .argument(
      '<target>',
      'image (as for `customs sbom`, see `customs help targets`), an SBOM file (CycloneDX, SPDX or customs JSON), `dockerfile` / `k8s`, or `host`',
    )
    .argument('[path]', 'with `dockerfile` or `k8s`: the file or directory to check; with `host`: the root (default /)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(SCAN_FORMATS).default('table'))
    .option('-o, --output <file>', 'write to FILE instead of stdout (written atomically)')
    .option('--db <path>', `vulnerability DB file or directory (default: ${DB_FILE} in CUSTOMS_DB_DIR)`)
    .option(
      '--scanners <list>',
      'what to look for, comma-separated: vuln,secret,misconfig,malware,license (default: all)',
    )
    .addOption(secretConfigOption())
    .option('--ioc <file>', 'known-bad SHA-256 hashes, one per line or CSV with a sha256 column (malware scanner)')
    .option('--clamd <addr>', 'also stream files to clamd (unix socket path or host:port) (malware scanner)')
    .addOption(distroOption());
  for (const o of [...filterOptions(), dbDirOption(), ...imageOptions()]) cmd.addOption(o);
  cmd.addHelpText(
    'after',
    `
Examples:
  customs db import test/feeds                     # once: build the DB (or customs db update)
  customs scan debian:12
  customs scan app:1 --scanners secret,misconfig   # no DB needed without vuln
  customs scan app:1 --severity HIGH,CRITICAL --ignore-unfixed --ignorefile .trivyignore
  customs scan dockerfile ./Dockerfile
  customs scan k8s ./deploy/ -f json
  customs scan app.tar --scanners malware --ioc iocs.txt --clamd /run/clamav/clamd.ctl
  customs scan docker-archive:app.tar -f json -o scan.json
  customs scan sbom.cdx.json                       # CycloneDX / SPDX / customs JSON input
  customs scan sbom.spdx.json --distro debian:12   # the release, when the SBOM does not state it
  customs scan oci:./layout --db /srv/customs/db
  customs scan host                                # this machine's OS and language packages (= dir:/)
  customs scan host /mnt/node1 -f json             # a mounted copy of another host's root

--severity, --ignore-unfixed and --ignorefile leave findings out of the report, as they leave
them out of \`customs gate\`'s judgement. -o FILE with a known extension (.sarif, .json, .cdx.json, .xml, .html, .md) and no
--format writes that format. The table is cut to the terminal width (COLUMNS) only on a terminal.

Findings are sorted by severity, then package; the JSON schema is schema/scan-result-v1.json
(docs/scan.md). Exit status: 0 ok (findings included), 2 usage error, 3 input error
(bad image or SBOM, no vulnerability DB).`,
  );
  cmd.action(async (givenTarget: string, givenPath: string | undefined, flags: ScanFlags) => {
    // `host [ROOT]`: this machine's own filesystem (default /) as a rootfs directory (dir:),
    // so its OS and language packages are matched exactly as an image's are (docs/bench.md).
    const host = givenTarget === 'host';
    const target = host ? `dir:${givenPath ?? '/'}` : givenTarget;
    const path = host ? undefined : givenPath;
    const eng = await engine();
    // `dockerfile` and `k8s` first always name the subcommand, never an image on Docker Hub:
    // a forgotten PATH must not turn into a pull of "docker.io/library/dockerfile".
    const kind = (eng.CONFIG_KINDS as readonly string[]).includes(target);
    if (kind && path === undefined) {
      const what = target === 'dockerfile' ? 'the Dockerfile' : 'the manifest file or directory';
      throw new CustomsError(
        'USAGE_BAD_ARGUMENT',
        `scan ${target}: missing PATH, ${what} to check (customs scan ${target} PATH); for an image or file named "${target}", write ${target}:latest, docker-daemon:${target} or ./${target}`,
      );
    }
    if (path !== undefined) {
      if (!(eng.CONFIG_KINDS as readonly string[]).includes(target)) {
        throw new CustomsError(
          'USAGE_BAD_ARGUMENT',
          `scan takes one target; a second argument only follows "dockerfile" or "k8s" (got "${target} ${path}")`,
        );
      }
      const format = chosenFormat(cmd, flags, CONFIG_FORMATS);
      if (!CONFIG_FORMATS.includes(format)) {
        throw new CustomsError(
          'USAGE_BAD_FLAG',
          `scan ${target} writes ${CONFIG_FORMATS.join(', ')}, not ${format} (a report of vulnerabilities only)`,
        );
      }
      const filters = await filtersOf(flags);
      const now = new Date();
      const result = eng.filterConfigScan(
        await eng.scanConfigTarget(target as 'dockerfile' | 'k8s', path),
        filters,
        now,
      );
      const { renderConfigJson, renderConfigTable, writerFor } = await report();
      const text =
        format === 'json'
          ? renderConfigJson(result)
          : format === 'table'
            ? renderConfigTable(result, renderTarget(flags.output))
            : writerFor(format).render(eng.configScanAsResult(result, now), renderTarget(flags.output));
      await writeOutput(text, flags.output);
      process.exitCode = EXIT.ok;
      return;
    }
    // The plan is built once, here, and passed through untouched: bad flags fail before any image is read.
    const format = chosenFormat(cmd, flags, SCAN_FORMATS);
    const plan = await scanPlanOf(flags);
    const filters = await filtersOf(flags);
    await withImageContext(flags, signal, async (ctx, strict) => {
      const scanned = await eng.scan(target, plan, {
        ...ctx,
        dbPath: dbFile(flags.db, flags.dbDir ?? ctx.config.dbDir),
      });
      strict(scanned.inventory.unknowns);
      // The gate's filters (policy/judge.ts), so what a scan hides is what a gate does not count.
      const { filterScan } = await import('../../policy/index.js');
      const { result, expired } = filterScan(scanned, filters, ctx.now());
      for (const e of expired)
        process.stderr.write(`customs: ${e.source}: ${e.id} expired ${e.expired}; it no longer applies\n`);
      const { writerFor } = await report();
      await writeOutput(writerFor(format).render(result, renderTarget(flags.output)), flags.output);
      process.exitCode = EXIT.ok;
    });
  });
  return cmd;
}
