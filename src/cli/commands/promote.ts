import { Command, Option } from 'commander';
import { CustomsError, DB_FILE, EXIT, terminalText } from '../../core/index.js';
import type { GateRules } from '../../policy/index.js';
import { parseScanners, SCANNERS } from '../../result/index.js';
import { dbDirOption, readInputFile } from '../filters.js';
import { dbFile } from '../options.js';
import { privateKeyOf, type RegistryFlags, registryContext, registryOptions, signLib } from './sign.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

interface PromoteFlags extends RegistryFlags {
  readonly key?: string;
  readonly policy: string[];
  readonly vex: string[];
  readonly failOn?: string;
  readonly trustPolicy?: string;
  readonly db?: string;
  readonly dbDir?: string;
  readonly scanners?: string;
  readonly format: 'text' | 'json';
}

export function promoteCommand(signal: AbortSignal): Command {
  const cmd = new Command('promote')
    .description(
      'Gate an image, then copy it by digest to another repository or registry, sign it there and attach its SBOM and verdict',
    )
    .argument('<src>', 'the image to promote: HOST/REPO:TAG or HOST/REPO@sha256:…')
    .argument('<dst>', 'where it goes: HOST/REPO[:TAG] (the tag defaults to latest)')
    .option('--key <file>', 'private key that signs the destination and its attestations')
    .option('--policy <file>', 'gate policy (YAML, docs/policy.md); repeat to merge', collect, [])
    .option('--vex <file>', 'OpenVEX or CycloneDX VEX document for the gate (repeatable)', collect, [])
    .option(
      '--fail-on <severity>',
      'fail the gate on a vulnerability of this severity or above: low|medium|high|critical',
    )
    .option('--trust-policy <file>', 'SRC must also be verified under this trust policy (docs/trust-policy.md)')
    .option('--db <path>', `vulnerability DB file or directory (default: ${DB_FILE} in CUSTOMS_DB_DIR)`)
    .option('--scanners <list>', 'what the gate scans for: vuln,secret,misconfig,malware,license (default: all)')
    .addOption(dbDirOption())
    .addOption(new Option('-f, --format <format>', 'output').choices(['text', 'json']).default('text'));
  for (const o of registryOptions()) cmd.addOption(o);
  cmd.addHelpText(
    'after',
    `
SRC is pinned to its digest first; the gate, the copy and the signature are all about those
bytes. A failed gate (or, with --trust-policy, an unverified source) refuses the promotion
with exit 1 and the reason, and nothing is written. Otherwise the image is copied registry
to registry (a cross-repository blob mount on the same registry, streamed otherwise, no
local disk), signed at DST (cosign's layout) and given two signed attestations: the SBOM
(--type cyclonedx) and the verdict (--type customs-verdict). Credentials for both
registries come from the docker config (docker login each).

Examples:
  customs promote staging.example.com/app:1.4 prod.example.com/app:1.4 --policy policy.yaml --key release.key
  customs promote registry.example.com/staging/app@sha256:4f… registry.example.com/prod/app:1.4 \\
      --fail-on high --trust-policy trust-policy.yaml --key release.key -f json
  customs verify prod.example.com/app:1.4 --key release.pub
  customs verify-attestation prod.example.com/app:1.4 --key release.pub --type cyclonedx --type customs-verdict

Without --policy and --fail-on, any finding fails the gate (as for customs gate).

Exit status: 0 promoted, 1 refused (gate failed or source unverified), 2 usage error, 3 input error.`,
  );
  cmd.action(async (src: string, dst: string, flags: PromoteFlags) => {
    if (flags.key === undefined)
      throw new CustomsError('USAGE_BAD_FLAG', 'promote needs --key FILE (it signs the destination)');
    const [eng, pol, sign] = await Promise.all([
      import('../../engine/index.js'),
      import('../../policy/index.js'),
      signLib(),
    ]);
    const failOn = flags.failOn === undefined ? undefined : pol.parseFailOn(flags.failOn);
    const scanners = flags.scanners === undefined ? SCANNERS : parseScanners(flags.scanners);
    const trustPolicy = flags.trustPolicy === undefined ? undefined : await sign.loadTrustPolicy(flags.trustPolicy);
    const key = await privateKeyOf(flags.key);
    const ctx = registryContext(flags, signal);
    try {
      const policyFiles = await Promise.all(
        flags.policy.map(async (path) => ({ path, text: await readInputFile('--policy', path) })),
      );
      const vex = await Promise.all(
        flags.vex.map(async (path) => pol.loadVex(await readInputFile('--vex', path), path)),
      );
      const loaded = policyFiles.length > 0 ? pol.loadPolicies(policyFiles, ctx.now()) : undefined;
      const rules: GateRules = {
        ...(failOn !== undefined ? { failOn } : {}),
        ...(loaded ? { policy: loaded } : {}),
        ...(loaded?.packageDatabaseUnknowns ? { packageDatabaseUnknowns: loaded.packageDatabaseUnknowns } : {}),
        ...(vex.length > 0 ? { vex } : {}),
      };
      const out = await eng.promote(
        { src, dst, plan: { scanners }, rules, key, ...(trustPolicy ? { trustPolicy } : {}) },
        { ...ctx, dbPath: dbFile(flags.db, flags.dbDir ?? ctx.config.dbDir) },
      );
      ctx.finish();
      if (flags.format === 'json') {
        const { result: _result, ...rest } = out;
        process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
      } else if (out.status === 'promoted') {
        const blobs = out.copy?.blobs;
        process.stdout.write(
          `Promoted ${terminalText(out.src)} to ${terminalText(out.dst)}` +
            (blobs
              ? ` (blobs: ${blobs.mounted} mounted, ${blobs.streamed} streamed, ${blobs.present} already there)`
              : '') +
            `\n  signed: ${out.signature?.tag ?? ''}\n  attested: cyclonedx, customs-verdict (${out.attestations?.[0]?.tag ?? ''})\n`,
        );
      }
      if (out.status === 'refused') {
        process.stderr.write(`customs: promotion refused: ${terminalText(out.reasons.join('; '))}\n`);
      }
      process.exitCode = out.status === 'promoted' ? EXIT.ok : EXIT.policyFailed;
    } finally {
      ctx.finish();
    }
  });
  return cmd;
}
