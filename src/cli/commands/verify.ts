import { Command, Option } from 'commander';
import { CustomsError, EXIT, terminalText } from '../../core/index.js';
import type { ImageVerification, TrustRule } from '../../sign/index.js';
import {
  readFlagFile,
  type RegistryFlags,
  registryContext,
  registryOptions,
  signLib,
  trustedRootFile,
} from './sign.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export interface TrustFlags extends RegistryFlags {
  readonly key: string[];
  readonly certificateIdentity?: string;
  readonly certificateIdentityRegexp?: string;
  readonly certificateOidcIssuer?: string;
  readonly trustedRoot?: string;
  readonly policy?: string;
  readonly format: 'text' | 'json';
}

/** Flags naming whom to trust: keys, a keyless identity, or a trust policy file. */
export function trustOptions(cmd: Command): Command {
  return cmd
    .option('--key <file>', 'trust this PEM public key (repeatable: any of them)', collect, [])
    .option(
      '--certificate-identity <subject>',
      'keyless: the signer certificate subject (email, URI) to trust, exactly',
    )
    .option('--certificate-identity-regexp <re>', 'keyless: a regular expression the whole subject must match')
    .option('--certificate-oidc-issuer <url>', 'keyless: the OIDC issuer of that identity, exactly')
    .option('--trusted-root <file>', 'keyless: sigstore trusted_root.json (Fulcio CAs, Rekor and CT log keys); offline')
    .option('--policy <file>', 'trust policy file (docs/trust-policy.md) instead of the flags above')
    .addOption(new Option('-f, --format <format>', 'output').choices(['text', 'json']).default('text'));
}

/** The rule the flags describe (or undefined with --policy). */
export async function ruleFromFlags(
  flags: TrustFlags,
  attestations: TrustRule['attestations'],
  minimum: number,
): Promise<TrustRule | undefined> {
  const sign = await signLib();
  const keyless = flags.certificateIdentity ?? flags.certificateIdentityRegexp ?? flags.certificateOidcIssuer;
  if (flags.policy !== undefined) {
    if (flags.key.length > 0 || keyless !== undefined || flags.trustedRoot !== undefined) {
      throw new CustomsError(
        'USAGE_BAD_FLAG',
        '--policy names whom to trust: drop --key and the --certificate-* flags, or drop --policy',
      );
    }
    return undefined;
  }
  const keys = await Promise.all(
    flags.key.map(async (p) => ({ name: p, key: sign.loadPublicKey(await readFlagFile('--key', p), p) })),
  );
  const identities: { issuer: string; subject?: string; subjectRegExp?: RegExp }[] = [];
  let trustedRoot: { path: string; json: unknown } | undefined;
  if (keyless !== undefined) {
    if (
      !flags.certificateOidcIssuer ||
      !(flags.certificateIdentity ?? flags.certificateIdentityRegexp) ||
      !flags.trustedRoot
    ) {
      throw new CustomsError(
        'USAGE_BAD_FLAG',
        'keyless verification needs --certificate-identity (or --certificate-identity-regexp), --certificate-oidc-issuer and --trusted-root',
      );
    }
    if (flags.certificateIdentity !== undefined && flags.certificateIdentityRegexp !== undefined) {
      throw new CustomsError(
        'USAGE_BAD_FLAG',
        'give --certificate-identity or --certificate-identity-regexp, not both',
      );
    }
    let re: RegExp | undefined;
    if (flags.certificateIdentityRegexp !== undefined) {
      try {
        re = new RegExp(flags.certificateIdentityRegexp, 'u');
      } catch (e) {
        throw new CustomsError('USAGE_BAD_FLAG', `--certificate-identity-regexp: ${(e as Error).message}`);
      }
    }
    identities.push({
      issuer: flags.certificateOidcIssuer,
      ...(flags.certificateIdentity !== undefined ? { subject: flags.certificateIdentity } : {}),
      ...(re ? { subjectRegExp: re } : {}),
    });
    trustedRoot = await trustedRootFile(flags.trustedRoot);
  } else if (keys.length > 0 && flags.trustedRoot !== undefined) {
    trustedRoot = await trustedRootFile(flags.trustedRoot);
  }
  if (keys.length === 0 && identities.length === 0) {
    throw new CustomsError(
      'USAGE_BAD_FLAG',
      flags.trustedRoot !== undefined
        ? '--trusted-root needs the identity to trust: --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer'
        : 'say whom to trust: --key PUB, or --certificate-identity … --certificate-oidc-issuer … --trusted-root FILE, or --policy FILE',
    );
  }
  return sign.adHocRule({ keys, identities, ...(trustedRoot ? { trustedRoot } : {}) }, attestations, minimum);
}

/** Print the verification and set the exit status: 0 verified, 1 anything else. */
export function reportVerification(v: ImageVerification, format: 'text' | 'json'): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  } else {
    const name = terminalText(`${v.image}${v.digest ? `@${v.digest}` : ''}`);
    process.stdout.write(`${name}: ${v.status}${v.rule ? ` (rule "${terminalText(v.rule)}")` : ''}\n`);
    for (const r of v.reasons) process.stdout.write(`  ${terminalText(r)}\n`);
  }
  if (v.status !== 'verified') {
    process.stderr.write(`customs: ${terminalText(v.image)} is ${v.status}: ${terminalText(v.reasons[0] ?? '')}\n`);
  }
  process.exitCode = v.status === 'verified' ? EXIT.ok : EXIT.policyFailed;
}

export function verifyCommand(signal: AbortSignal): Command {
  const cmd = trustOptions(
    new Command('verify')
      .description('Verify the signatures of an image in a registry: exit 0 verified, 1 unverified or invalid')
      .argument('<image>', 'image in a registry: HOST/REPO:TAG or HOST/REPO@sha256:…'),
  );
  for (const o of registryOptions()) cmd.addOption(o);
  cmd.addHelpText(
    'after',
    `
Reads cosign's signatures (the sha256-<digest>.sig tag, as cosign, skopeo and customs push
them) and sigstore bundles among the image's OCI 1.1 referrers. Keyless bundles are checked
offline against --trusted-root: the certificate chain, the transparency-log inclusion in the
bundle, the signature, and the signer's identity and issuer.

The answer is verified, unverified (no signature by a trusted signer) or invalid (a
signature is broken: it names another image, or its chain or log entry does not verify).

Examples:
  customs verify registry.example.com/app:1.4 --key cosign.pub
  customs verify registry.example.com/app@sha256:4f… --policy trust-policy.yaml -f json
  customs verify ghcr.io/org/app:1 --trusted-root trusted_root.json \\
      --certificate-identity https://github.com/org/app/.github/workflows/release.yml@refs/heads/main \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com

Exit status: 0 verified, 1 unverified or invalid, 2 usage error, 3 input error.`,
  );
  cmd.action((image: string, flags: TrustFlags) => verifyAndReport(image, flags, [], 1, signal));
  return cmd;
}

/**
 * Verify `image` by the rule the flags give (keys, identities, the attestations
 * asked for and the signatures required), or by the trust policy of --policy,
 * then print it and set the exit status.
 */
export async function verifyAndReport(
  image: string,
  flags: TrustFlags,
  attestations: Parameters<typeof ruleFromFlags>[1],
  minimumSignatures: number,
  signal: AbortSignal,
): Promise<void> {
  const sign = await signLib();
  const rule = await ruleFromFlags(flags, attestations, minimumSignatures);
  const ctx = registryContext(flags, signal);
  try {
    const v = rule
      ? await sign.verifyImageWithRule(image, rule, { ctx })
      : await sign.verifyImageAgainstPolicy(image, await sign.loadTrustPolicy(flags.policy ?? ''), { ctx });
    reportVerification(v, flags.format);
  } finally {
    ctx.finish();
  }
}
