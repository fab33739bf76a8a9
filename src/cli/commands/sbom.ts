import { Command, Option } from 'commander';
import { EXIT } from '../../core/index.js';
import { withImageContext } from '../image-command.js';
import { type ImageFlags, imageOptions } from '../options.js';
import { chosenFormat, writeOutput } from '../output.js';
import type { SbomFormat } from './sbom-run.js';

// The pipeline is imported when the command runs, so `--help` and `--version` start fast.
const run = () => import('./sbom-run.js');

export const SBOM_FORMATS = ['table', 'json', 'cyclonedx', 'spdx'] as const satisfies readonly SbomFormat[];

export function sbomCommand(signal: AbortSignal): Command {
  const cmd = new Command('sbom')
    .description('List every OS and language package in an image (its software bill of materials)')
    .argument('<target>', 'image to read: a reference, a path, or TRANSPORT:NAME (see `customs help targets`)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(SBOM_FORMATS).default('table'))
    .option('-o, --output <file>', 'write to FILE instead of stdout (written atomically)');
  for (const o of imageOptions()) cmd.addOption(o);
  cmd.addHelpText(
    'after',
    `
Examples:
  customs sbom nginx:1.25                           # from the local Docker Engine, else Docker Hub
  customs sbom docker-archive:app.tar -f cyclonedx -o app.cdx.json
  customs sbom oci:./layout:v1 --platform linux/arm64 -f spdx
  customs sbom 127.0.0.1:5000/app:1 --insecure -f json
  customs sbom dir:/srv/rootfs

Exit status: 0 ok, 2 usage error, 3 input error (bad image, unreachable registry, digest mismatch).`,
  );
  cmd.action(async (target: string, flags: ImageFlags & { format: SbomFormat; output?: string }) => {
    const format = chosenFormat(cmd, flags, SBOM_FORMATS);
    await withImageContext(flags, signal, async (ctx, strict) => {
      const { preload, render, sbom } = await run();
      preload(format);
      const inv = await sbom(target, ctx);
      strict(inv.unknowns);
      await writeOutput(await render(inv, format, flags.output), flags.output);
      process.exitCode = EXIT.ok;
    });
  });
  return cmd;
}
