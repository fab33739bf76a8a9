import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CustomsError, EXIT } from '../../core/index.js';
import type { Verdict } from '../../policy/index.js';
import { openLayerCache } from '../cache.js';
import { contextFrom, dbFile, type ImageFlags, imageOptions } from '../options.js';
import { writeOutput } from '../output.js';

// The pipeline loads when the command runs, so `--help` starts fast.
const engine = () => import('../../engine/index.js');
const report = () => import('../../report/index.js');
const policy = () => import('../../policy/index.js');

export const GATE_FORMATS = ['table', 'json', 'sarif', 'junit', 'gitlab', 'cyclonedx', 'html', 'markdown'] as const;
type GateFormat = (typeof GATE_FORMATS)[number];

interface GateFlags extends ImageFlags {
  readonly policy: string[];
  readonly vex: string[];
  readonly severity?: string;
  readonly exitCode: number;
  readonly ignoreUnfixed?: boolean;
  readonly failOn?: string;
  readonly ignorefile?: string;
  readonly format: GateFormat;
  readonly output: string[];
  readonly summary?: boolean;
  readonly db?: string;
  readonly scanners?: string;
  readonly dockerfile?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function parseExitCode(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 255)
    throw new CustomsError('USAGE_BAD_FLAG', `--exit-code: "${text}" is not a whole number from 0 to 255`);
  return n;
}

/** `-o FILE` (the --format) or `-o FORMAT=FILE`; several allowed. */
function outputsOf(flags: GateFlags): { format: GateFormat; file: string | undefined }[] {
  const outs: { format: GateFormat; file: string | undefined }[] = [];
  let plain: string | undefined;
  for (const o of flags.output) {
    const m = /^([a-z]+)=(.+)$/.exec(o);
    if (m?.[1] !== undefined && m[2] !== undefined && (GATE_FORMATS as readonly string[]).includes(m[1])) {
      outs.push({ format: m[1] as GateFormat, file: m[2] });
    } else if (m?.[1] !== undefined && !o.includes('/') && !o.includes('\\')) {
      throw new CustomsError(
        'USAGE_BAD_FLAG',
        `-o ${o}: "${m[1]}" is not a format; use one of ${GATE_FORMATS.join(', ')} (or -o FILE for --format)`,
      );
    } else if (plain !== undefined) {
      throw new CustomsError(
        'USAGE_BAD_FLAG',
        `-o ${o}: only one -o FILE without a format (it takes --format); write -o FORMAT=FILE for the others`,
      );
    } else {
      plain = o;
    }
  }
  // The --format report goes to stdout unless -o FILE names its file.
  return [{ format: flags.format, file: plain }, ...outs];
}

/** The verdict for people, below the findings table. */
function verdictText(v: Verdict, color: boolean): string {
  const paint = (code: string, s: string): string => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const head = { pass: paint('32;1', 'PASS'), warn: paint('33;1', 'PASS with warnings'), fail: paint('31;1', 'FAIL') }[
    v.status
  ];
  const out = ['', `Gate: ${head}  (policies: ${v.policies.join(', ') || 'none'})`];
  for (const r of v.rules) {
    out.push(
      `  ${r.action === 'fail' ? paint('31', 'FAIL') : paint('33', 'WARN')} ${r.ruleId}: ${r.message}  [${r.source}, ${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}]`,
    );
    for (const f of r.findings.slice(0, 10)) out.push(`      - ${f.summary}`);
    if (r.findings.length > 10) out.push(`      … and ${r.findings.length - 10} more`);
  }
  // The findings table above lists suppressed findings with why (report/scan-table.ts).
  if (v.suppressed.length > 0)
    out.push(`  Suppressed: ${v.suppressed.length} finding${v.suppressed.length === 1 ? '' : 's'} (listed above)`);
  for (const n of v.notes ?? []) out.push(`  Note: ${n}`);
  for (const e of v.expiredExceptions)
    out.push(`  Expired exception ${e.id} (${e.source}, expired ${e.expired}): no longer applies`);
  if (v.remediation.length > 0) {
    out.push('  Remediation:');
    for (const r of v.remediation) {
      out.push(
        `      - ${r.how === 'rebuild-base' ? 'rebuild on a newer base image:' : 'upgrade'} ${r.package} ${r.from} → ${r.to} (clears ${r.clears.join(', ')})`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

export function gateCommand(signal: AbortSignal): Command {
  const cmd = new Command('gate')
    .description('Judge an image, SBOM or saved scan result by policies; exit 1 when the policy fails')
    .argument('<target>', 'image (see `customs help targets`), an SBOM file, or a saved `customs scan -f json` result')
    .option('--policy <file>', 'policy file (YAML, docs/policy.md); repeat to merge, later files override', collect, [])
    .option(
      '--vex <file>',
      'OpenVEX or CycloneDX VEX document; not_affected/fixed statements suppress findings (repeatable)',
      collect,
      [],
    )
    .option('--severity <list>', 'only findings of these severities count (Trivy): e.g. HIGH,CRITICAL')
    .option('--ignore-unfixed', 'vulnerabilities without a fixed version do not count (Trivy)')
    .option(
      '--fail-on <severity>',
      'fail on a vulnerability of this severity or above (Grype): low|medium|high|critical',
    )
    .option('--ignorefile <file>', 'IDs to ignore, .trivyignore format (ID [exp:YYYY-MM-DD] per line, # comments)')
    .option('--exit-code <n>', 'exit status when the gate fails', parseExitCode, 1)
    .addOption(new Option('-f, --format <format>', 'report format').choices(GATE_FORMATS).default('table'))
    .option(
      '-o, --output <[format=]file>',
      'write the --format report to FILE, or another format with FORMAT=FILE (repeatable)',
      collect,
      [],
    )
    .option('--summary', 'append a Markdown summary to $GITHUB_STEP_SUMMARY when it is set')
    .option('--dockerfile <path>', 'the Dockerfile the image was built from (SARIF/GitLab locations point at it)')
    .option('--db <path>', 'vulnerability DB file or directory (default: customs.db in CUSTOMS_DB_DIR)')
    .option(
      '--scanners <list>',
      'what to look for when scanning now: vuln,secret,misconfig,malware,license (default: all)',
    );
  for (const o of imageOptions()) cmd.addOption(o);
  cmd.addHelpText(
    'after',
    `
Examples:
  customs gate app:1 --policy policy.yaml
  customs gate docker-archive:app.tar --policy org.yaml --policy team.yaml --vex app.vex.json
  customs scan app:1 -f json -o scan.json && customs gate scan.json --policy policy.yaml   # scan once, gate many times
  customs gate app:1 --severity HIGH,CRITICAL --ignore-unfixed --ignorefile .trivyignore    # like trivy --exit-code 1
  customs gate sbom.cdx.json --fail-on high -o sarif=customs.sarif -o junit=customs.xml --summary

Without --policy and --fail-on, any finding left after --severity, --ignore-unfixed and
--ignorefile fails the gate (trivy --exit-code). docs/gate.md explains every flag.

Exit status:
  0  pass (warnings allowed)
  1  the policy failed (or the status given with --exit-code)
  2  usage error (bad flag or argument)
  3  input error (image, SBOM, scan result, policy, VEX or ignore file missing or invalid; no DB)`,
  );
  cmd.action(async (target: string, flags: GateFlags) => {
    const eng = await engine();
    // Flags first: a usage error must not wait for an image to be read.
    const severities = flags.severity === undefined ? undefined : eng.parseSeverityList(flags.severity);
    const failOn = flags.failOn === undefined ? undefined : eng.parseFailOn(flags.failOn);
    const outputs = outputsOf(flags);
    const ctx = contextFrom(flags, signal);
    const now = ctx.now();
    const pol = await policy();
    const policyFiles = await Promise.all(
      flags.policy.map(async (path) => ({ path, text: await eng.readGateFile('--policy', path) })),
    );
    const vexDocs = await Promise.all(
      flags.vex.map(async (path) => pol.loadVex(await eng.readGateFile('--vex', path), path)),
    );
    const dockerfile = flags.dockerfile === undefined ? undefined : await eng.dockerfileLocation(flags.dockerfile);
    const ignore = flags.ignorefile === undefined ? undefined : await eng.loadIgnoreFile(flags.ignorefile);
    const loaded = policyFiles.length > 0 ? pol.loadPolicies(policyFiles, now) : undefined;
    const scanners = flags.scanners === undefined ? undefined : eng.parseScanners(flags.scanners);
    const cache = ctx.config.cache ? await openLayerCache(ctx.config.cacheDir, ctx) : undefined;
    try {
      const { result, saved } = await eng.gateInput(target, ctx, {
        dbPath: dbFile(flags.db, ctx.config.dbDir),
        ...(cache ? { cache } : {}),
        ...(scanners ? { scanners } : {}),
      });
      ctx.finish();
      if (ctx.config.strict && result.inventory.unknowns.length > 0) {
        const first = result.inventory.unknowns[0];
        throw new CustomsError(
          'ANALYZE_INCOMPLETE',
          `${result.inventory.unknowns.length} file(s) could not be analysed (first: /${first?.path}: ${first?.message}); --strict makes that fatal`,
        );
      }
      const outcome = eng.judge(
        result,
        {
          ...(severities ? { severities } : {}),
          ...(flags.ignoreUnfixed ? { ignoreUnfixed: true } : {}),
          ...(failOn !== undefined ? { failOn } : {}),
          ...(ignore ? { ignore } : {}),
          ...(loaded
            ? {
                policy: (r, at) =>
                  pol.evaluatePolicy(r, loaded, {
                    now: at,
                    ...(vexDocs.length > 0 ? { vex: vexDocs } : {}),
                    // The image config decides requireEntrypoint / forbiddenPorts; a saved scan has none.
                    ...(result.config ? { config: result.config } : {}),
                  }),
              }
            : {}),
        },
        now,
        saved ? [eng.SAVED_SCAN_NOTE] : [],
      );
      const rep = await report();
      const v = outcome.verdict;
      const machine = { verdict: v, ...(dockerfile ? { dockerfile } : {}) };
      const render = (format: GateFormat, tty: boolean): string => {
        switch (format) {
          case 'table':
            return (
              rep.renderScanTable(outcome.result, { color: tty, width: process.stdout.columns ?? 120, verdict: v }) +
              verdictText(v, tty)
            );
          case 'json':
            return `${JSON.stringify({ schemaVersion: 1, verdict: v, result: JSON.parse(rep.renderScanJson(outcome.result)) as unknown }, null, 2)}\n`;
          case 'sarif':
            return rep.renderSarif(outcome.result, machine);
          case 'junit':
            return rep.renderJunit(outcome.result, machine);
          case 'gitlab':
            return rep.renderGitlab(outcome.result, machine);
          case 'cyclonedx':
            return rep.renderCycloneDxVex(outcome.result, machine);
          case 'html':
            return rep.renderHtml(outcome.result, { verdict: v });
          case 'markdown':
            return rep.renderMarkdown(outcome.result, { verdict: v });
        }
      };
      for (const o of outputs) {
        const tty = o.file === undefined && process.stdout.isTTY === true;
        await writeOutput(render(o.format, tty), o.file);
      }
      const summaryFile = process.env.GITHUB_STEP_SUMMARY;
      if (flags.summary && summaryFile) {
        try {
          await appendFile(summaryFile, `${render('markdown', false).trimEnd()}\n\n`);
        } catch (e) {
          throw new CustomsError(
            'OUTPUT_WRITE_FAILED',
            `cannot append to GITHUB_STEP_SUMMARY ${summaryFile}: ${(e as Error).message}`,
            e,
          );
        }
      }
      // A failed gate is a verdict: say which rules failed on stderr (the report may be in a file).
      if (v.status === 'fail') {
        const failed = v.rules.filter((r) => r.action === 'fail').map((r) => `${r.ruleId} (${r.findings.length})`);
        process.stderr.write(`customs: gate failed: ${failed.join(', ')}\n`);
      }
      process.exitCode = v.status === 'fail' ? flags.exitCode : EXIT.ok;
    } finally {
      ctx.finish();
      cache?.close();
    }
  });
  return cmd;
}
