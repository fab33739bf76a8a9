import { Command } from 'commander';
import { CustomsError } from '../../core/index.js';
import { registryOptions, signLib } from './sign.js';
import { type TrustFlags, trustOptions, verifyAndReport } from './verify.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function verifyAttestationCommand(signal: AbortSignal): Command {
  const cmd = trustOptions(
    new Command('verify-attestation')
      .description(
        'Verify the attestations of an image in a registry: exit 0 when each --type is attested by a trusted signer',
      )
      .argument('<image>', 'image in a registry: HOST/REPO:TAG or HOST/REPO@sha256:…')
      .option(
        '--type <type>',
        'required attestation type: cyclonedx, customs-verdict, … or a predicate type URI (repeatable)',
        collect,
        [],
      ),
  );
  for (const o of registryOptions()) cmd.addOption(o);
  cmd.addHelpText(
    'after',
    `
Reads the DSSE envelopes of the sha256-<digest>.att tag (cosign's layout) and in-toto
bundles among the referrers; an attestation counts when its envelope verifies with a
trusted key and its statement's subject is this image's digest. With --policy, the rule
for the image says which types are required (and its signatures are checked too).

Examples:
  customs verify-attestation registry.example.com/app:1.4 --key cosign.pub --type cyclonedx
  customs verify-attestation registry.example.com/app:1.4 --key cosign.pub --type cyclonedx --type customs-verdict -f json

Exit status: 0 verified, 1 unverified or invalid, 2 usage error, 3 input error.`,
  );
  cmd.action(async (image: string, flags: TrustFlags & { type: string[] }) => {
    const sign = await signLib();
    if (flags.policy === undefined && flags.type.length === 0) {
      throw new CustomsError(
        'USAGE_BAD_FLAG',
        'verify-attestation needs --type (which attestations to require), or --policy',
      );
    }
    const attestations = flags.type.map((t) => ({ type: t, predicateType: sign.predicateTypeOf(t), minimum: 1 }));
    // Attestations only: the image's own signatures are not required here.
    await verifyAndReport(image, flags, attestations, 0, signal);
  });
  return cmd;
}
