import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { CustomsError } from '../../core/index.js';
import { privateKeyOf, type RegistryFlags, registryContext, registryOptions, signLib } from './sign.js';

export function attestCommand(signal: AbortSignal): Command {
  const cmd = new Command('attest')
    .description(
      'Attach a signed in-toto attestation to an image in a registry, as cosign does (the sha256-<digest>.att tag)',
    )
    .argument('<image>', 'image in a registry: HOST/REPO:TAG or HOST/REPO@sha256:…')
    .requiredOption('--predicate <file>', 'the predicate: a JSON file (a CycloneDX SBOM, a customs scan or verdict)')
    .requiredOption(
      '--type <type>',
      'cyclonedx, customs-verdict, spdxjson, slsaprovenance, vuln, or a predicate type URI',
    )
    .option('--key <file>', 'private key (customs sign generate-key-pair)')
    .option('--json', 'print what was attested as JSON');
  for (const o of registryOptions()) cmd.addOption(o);
  cmd.addHelpText(
    'after',
    `
The predicate goes into an in-toto Statement v1 whose subject is the image digest, signed
in a DSSE envelope (application/vnd.dsse.envelope.v1+json) and pushed with the
"predicateType" annotation: \`cosign verify-attestation\` and \`customs verify-attestation\` read it.

Examples:
  customs sbom registry.example.com/app:1.4 -f cyclonedx -o sbom.cdx.json
  customs attest registry.example.com/app:1.4 --predicate sbom.cdx.json --type cyclonedx --key cosign.key
  customs gate registry.example.com/app:1.4 -f json -o scan.json
  customs attest registry.example.com/app:1.4 --predicate scan.json --type customs-verdict --key cosign.key

Exit status: 0 attested, 2 usage error, 3 input error.`,
  );
  cmd.action(
    async (image: string, flags: RegistryFlags & { predicate: string; type: string; key?: string; json?: boolean }) => {
      const sign = await signLib();
      const predicateType = sign.predicateTypeOf(flags.type);
      if (flags.key === undefined) throw new CustomsError('USAGE_BAD_FLAG', 'attest needs --key FILE (a private key)');
      let predicate: unknown;
      try {
        predicate = JSON.parse(await readFile(flags.predicate, 'utf8'));
      } catch (e) {
        throw new CustomsError('USAGE_BAD_ARGUMENT', `--predicate ${flags.predicate}: ${(e as Error).message}`, e);
      }
      const key = await privateKeyOf(flags.key);
      const ctx = registryContext(flags, signal);
      try {
        const out = await sign.attestImage(image, key, predicateType, predicate, ctx);
        ctx.finish();
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ ...out, predicateType }, null, 2)}\n`
            : `Attested ${out.image}@${out.digest}: ${predicateType} (${out.tag})\n`,
        );
      } finally {
        ctx.finish();
      }
    },
  );
  return cmd;
}
