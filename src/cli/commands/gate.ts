import { appendFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { CustomsError, DB_FILE, EXIT, type Severity, terminalText } from '../../core/index.js';
import type { GateOutcome, GateRules, Policy } from '../../policy/index.js';
import { SCAN_FORMATS, type ScanFormat } from '../../report/index.js';
import { parseScanners, SCANNERS } from '../../result/index.js';
import {
  dbDirOption,
  type FilterFlags,
  filterOptions,
  ignoreOf,
  readInputFile as readGateFile,
  severitiesOf,
} from '../filters.js';
import { renderTarget, withImageContext } from '../image-command.js';
import { dbFile, type ImageFlags, imageOptions } from '../options.js';
import { chosenFormat, writeOutput } from '../output.js';
import { distroOf, distroOption, secretConfigOf, secretConfigOption } from '../plan-options.js';
import { OFFLINE_MODES, type OfflineMode, postVerdict, ServerUnreachable } from '../remote-verdict.js';

// The pipeline loads when the command runs, so `--help` starts fast.
const engine = () => import('../../engine/index.js');
const report = () => import('../../report/index.js');
const policy = () => import('../../policy/index.js');

const GATE_FORMATS = SCAN_FORMATS;
type GateFormat = ScanFormat;

interface GateFlags extends ImageFlags, FilterFlags {
  readonly policy: string[];
  readonly vex: string[];
  readonly exitCode: number;
  readonly failOn?: string;
  readonly format: GateFormat;
  readonly output: string[];
  readonly summary?: boolean;
  readonly db?: string;
  readonly dbDir?: string;
  readonly scanners?: string;
  readonly secretConfig?: string;
  readonly dockerfile?: string;
  readonly distro?: string;
  readonly server?: string;
  readonly token?: string;
  readonly offline: OfflineMode;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function parseExitCode(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 255)
    throw new CustomsError('USAGE_BAD_FLAG', `--exit-code: "${text}" is not a whole number from 0 to 255`);
  return n;
}

/** The rules of the flags, with the files they name read and parsed (policies, VEX, ignore file, Dockerfile). */
async function gateRulesOf(
  flags: GateFlags,
  now: Date,
  severities: readonly Severity[] | undefined,
  failOn: Severity | undefined,
  configOnly = false,
): Promise<{ rules: GateRules; dockerfile?: { path: string; fromLine?: number } }> {
  const [pol, checks] = await Promise.all([policy(), import('../../checks/index.js')]);
  const policyFiles = await Promise.all(
    flags.policy.map(async (path) => ({ path, text: await readGateFile('--policy', path) })),
  );
  const vex = await Promise.all(flags.vex.map(async (path) => pol.loadVex(await readGateFile('--vex', path), path)));
  let dockerfile: { path: string; fromLine?: number } | undefined;
  if (flags.dockerfile !== undefined) {
    // Report locations of base-image findings point at its final FROM line.
    const line = checks.baseImageLine(await readGateFile('--dockerfile', flags.dockerfile), flags.dockerfile);
    dockerfile = line === undefined ? { path: flags.dockerfile } : { path: flags.dockerfile, fromLine: line };
  }
  const ignore = await ignoreOf(flags);
  const loaded = policyFiles.length > 0 ? withoutImageRules(pol.loadPolicies(policyFiles, now), configOnly) : undefined;
  const rules: GateRules = {
    ...(severities ? { severities } : {}),
    ...(flags.ignoreUnfixed ? { ignoreUnfixed: true } : {}),
    ...(failOn !== undefined ? { failOn } : {}),
    ...(ignore ? { ignore } : {}),
    ...(loaded?.packageDatabaseUnknowns ? { packageDatabaseUnknowns: loaded.packageDatabaseUnknowns } : {}),
    ...(vex.length > 0 ? { vex } : {}),
    ...(loaded ? { policy: loaded } : {}),
  };
  return dockerfile ? { rules, dockerfile } : { rules };
}

async function appendSummary(file: string, markdown: string): Promise<void> {
  try {
    await appendFile(file, `${markdown.trimEnd()}\n\n`);
  } catch (e) {
    throw new CustomsError(
      'OUTPUT_WRITE_FAILED',
      `cannot append to GITHUB_STEP_SUMMARY ${file}: ${(e as Error).message}`,
      e,
    );
  }
}

/**
 * A Dockerfile or manifests are not an image: `image` rules (base image, registries,
 * entrypoint, ports) have nothing to judge there, so they are left out (docs/gate.md).
 */
function withoutImageRules(p: Policy, configOnly: boolean): Policy {
  return configOnly ? { ...p, rules: p.rules.filter((r) => r.spec.image === undefined) } : p;
}

/** `gate dockerfile PATH` / `gate k8s PATH`: the config kind; a second argument after anything else is an error. */
function configKindOf<K extends string>(kinds: readonly K[], target: string, path: string | undefined): K | undefined {
  if ((kinds as readonly string[]).includes(target)) return target as K;
  if (path === undefined) return undefined;
  throw new CustomsError(
    'USAGE_BAD_ARGUMENT',
    `gate takes one target; a second argument only follows "dockerfile" or "k8s" (got "${target} ${path}")`,
  );
}

/** `-o FILE` (the --format, else the format its extension names) or `-o FORMAT=FILE`; several allowed. */
function outputsOf(cmd: Command, flags: GateFlags): { format: GateFormat; file: string | undefined }[] {
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
  return [{ format: chosenFormat(cmd, { format: flags.format, output: plain }, GATE_FORMATS), file: plain }, ...outs];
}

/**
 * --server: scan here (or read a saved scan), then let the server judge and record it
 * (cli/remote-verdict.ts). Unreachable with --offline judge: the local flags judge, as without --server.
 */
async function remoteGate(
  server: string,
  token: string,
  offline: OfflineMode,
  target: string,
  plan: Parameters<Awaited<ReturnType<typeof engine>>['scan']>[1],
  rules: GateRules,
  ctx: Parameters<Awaited<ReturnType<typeof engine>>['scan']>[2],
  signal: AbortSignal,
): Promise<GateOutcome & { readonly saved: boolean }> {
  const [eng, pol, rep] = await Promise.all([engine(), policy(), report()]);
  const saved = await rep.readSavedScan(target);
  const result = saved ?? (await eng.scan(target, plan, ctx));
  try {
    const remote = await postVerdict({ server, token, scanJson: rep.renderScanJson(result), signal });
    return { result, verdict: remote.verdict, saved: saved !== undefined };
  } catch (e) {
    if (!(e instanceof ServerUnreachable) || offline === 'fail') throw e;
    process.stderr.write(`customs: ${terminalText(e.message)}; judging here with the local flags (--offline judge)\n`);
    return { ...pol.judge(result, rules, ctx.now(), [`judged offline: ${e.message}`]), saved: saved !== undefined };
  }
}

export function gateCommand(signal: AbortSignal): Command {
  const cmd = new Command('gate')
    .description(
      'Judge an image, SBOM, saved scan result, Dockerfile or Kubernetes manifests by policies; exit 1 when the policy fails',
    )
    .argument(
      '<target>',
      'image (see `customs help targets`), an SBOM file, a saved `customs scan -f json` result, or `dockerfile` / `k8s`',
    )
    .argument('[path]', 'with `dockerfile` or `k8s`: the file or directory to check')
    .option('--policy <file>', 'policy file (YAML, docs/policy.md); repeat to merge, later files override', collect, [])
    .option(
      '--vex <file>',
      'OpenVEX or CycloneDX VEX document; not_affected/fixed statements suppress findings (repeatable)',
      collect,
      [],
    )
    .option(
      '--fail-on <severity>',
      'fail on a vulnerability of this severity or above (Grype): low|medium|high|critical',
    )
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
    .option('--db <path>', `vulnerability DB file or directory (default: ${DB_FILE} in CUSTOMS_DB_DIR)`)
    .option(
      '--scanners <list>',
      'what to look for when scanning now: vuln,secret,misconfig,malware,license (default: all)',
    )
    .addOption(secretConfigOption())
    .addOption(distroOption())
    .option('--server <url>', 'judge with the central policy of a `customs serve` at URL and record the result there')
    .addOption(new Option('--token <token>', 'API token (role ci) for --server').env('CUSTOMS_TOKEN'))
    .addOption(
      new Option(
        '--offline <mode>',
        'when --server cannot be reached: fail the gate, or judge here with the local flags',
      )
        .choices(OFFLINE_MODES)
        .default('fail'),
    );
  for (const o of [...filterOptions(), dbDirOption(), ...imageOptions()]) cmd.addOption(o);
  cmd.addHelpText(
    'after',
    `
Examples:
  customs gate app:1 --policy policy.yaml
  customs gate docker-archive:app.tar --policy org.yaml --policy team.yaml --vex app.vex.json
  customs scan app:1 -f json -o scan.json && customs gate scan.json --policy policy.yaml   # scan once, gate many times
  customs gate app:1 --severity HIGH,CRITICAL --ignore-unfixed --ignorefile .trivyignore    # like trivy --exit-code 1
  customs gate app:1 --policy policy.yaml --secret-config secrets.yaml   # your secret rules and allow-rules, as on scan
  customs gate sbom.cdx.json --fail-on high -o sarif=customs.sarif -o junit=customs.xml --summary
  customs gate dockerfile ./Dockerfile --severity HIGH,CRITICAL -o customs.sarif        # SARIF with file/line regions
  customs gate k8s ./deploy/ --policy policy.yaml                                        # policy misconfigurations rules
  CUSTOMS_TOKEN=cst_… customs gate app:1 --server https://customs.example:8443 --offline judge --policy local.yaml

Without --policy and --fail-on, any finding left after --severity, --ignore-unfixed and
--ignorefile fails the gate (trivy --exit-code). docs/gate.md explains every flag.

Exit status:
  0  pass (warnings allowed)
  1  the policy failed (or the status given with --exit-code)
  2  usage error (bad flag or argument)
  3  input error (image, SBOM, scan result, policy, VEX or ignore file missing or invalid; no DB)`,
  );
  cmd.action(async (target: string, path: string | undefined, flags: GateFlags) => {
    // Flags first: a usage error must not wait for an image to be read.
    const severities = severitiesOf(flags);
    const [eng, pol, rep] = await Promise.all([engine(), policy(), report()]);
    const failOn = flags.failOn === undefined ? undefined : pol.parseFailOn(flags.failOn);
    const outputs = outputsOf(cmd, flags);
    const distro = await distroOf(flags.distro);
    // As on `customs scan`: a bad file is refused before any image is read.
    const secretConfig = await secretConfigOf(flags.secretConfig);
    const configKind = configKindOf(eng.CONFIG_KINDS, target, path);
    if (flags.server !== undefined && configKind !== undefined)
      throw new CustomsError('USAGE_BAD_FLAG', `--server judges images and scan results, not ${configKind} files`);
    if (flags.server !== undefined && (flags.token === undefined || flags.token === ''))
      throw new CustomsError('USAGE_BAD_FLAG', '--server needs an API token: --token TOKEN or CUSTOMS_TOKEN');
    await withImageContext(flags, signal, async (ctx, strict) => {
      const { rules, dockerfile } = await gateRulesOf(flags, ctx.now(), severities, failOn, configKind !== undefined);
      const plan = {
        scanners: flags.scanners === undefined ? SCANNERS : parseScanners(flags.scanners),
        ...(secretConfig ? { secretConfig } : {}),
        ...(distro ? { distro } : {}),
      };
      const at = { ...ctx, dbPath: dbFile(flags.db, flags.dbDir ?? ctx.config.dbDir) };
      const outcome = configKind
        ? await eng.gateConfig(configKind, path, rules, at)
        : flags.server !== undefined
          ? await remoteGate(flags.server, flags.token ?? '', flags.offline, target, plan, rules, at, signal)
          : await eng.gate(target, plan, rules, at);
      const { result, verdict } = outcome;
      strict(result.inventory.unknowns);
      const opts = { verdict, ...(dockerfile ? { dockerfile } : {}) };
      for (const o of outputs) {
        // A Dockerfile or manifests keep their own table (file:line, skipped objects), with the verdict below.
        const text =
          'config' in outcome && o.format === 'table'
            ? rep.renderConfigTable(outcome.config, renderTarget(o.file)) +
              rep.renderVerdictText(verdict, renderTarget(o.file).color)
            : rep.writerFor(o.format).render(result, { ...renderTarget(o.file), ...opts });
        await writeOutput(text, o.file);
      }
      const summaryFile = process.env.GITHUB_STEP_SUMMARY;
      if (flags.summary && summaryFile)
        await appendSummary(summaryFile, rep.writerFor('markdown').render(result, opts));
      // A failed gate is a verdict: say which rules failed on stderr (the report may be in a file).
      if (verdict.status === 'fail') {
        const failed = verdict.rules
          .filter((r) => r.action === 'fail')
          .map((r) => `${r.ruleId} (${r.findings.length})`);
        process.stderr.write(`customs: gate failed: ${terminalText(failed.join(', '))}\n`);
      }
      process.exitCode = verdict.status === 'fail' ? flags.exitCode : EXIT.ok;
    });
  });
  return cmd;
}
