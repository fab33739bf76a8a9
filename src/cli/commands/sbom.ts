import { Command, Option } from 'commander';
import { CustomsError, EXIT } from '../../core/index.js';
import type { Inventory } from '../../sbom/index.js';
import { type ImageFlags, contextFrom, imageOptions } from '../options.js';
import { writeOutput } from '../output.js';
import { openLayerCache } from '../cache.js';

// The pipeline is imported when a command runs, so `--help` and `--version` start fast.
const engine = () => import('../../engine/index.js');
const sbom = () => import('../../sbom/index.js');

export const SBOM_FORMATS = ['table', 'json', 'cyclonedx', 'spdx'] as const;
type SbomFormat = (typeof SBOM_FORMATS)[number];

async function render(inv: Inventory, format: SbomFormat, tty: boolean): Promise<string> {
  const { toCustomsJson, toCycloneDx, toSpdx, toTable } = await sbom();
  switch (format) {
    case 'table':
      return toTable(inv, { color: tty, width: process.stdout.columns ?? 120 });
    case 'json':
      return toCustomsJson(inv);
    case 'cyclonedx':
      return toCycloneDx(inv);
    case 'spdx':
      return toSpdx(inv);
  }
}

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
    const ctx = contextFrom(flags, signal);
    const cache = ctx.config.cache ? await openLayerCache(ctx.config.cacheDir, ctx) : undefined;
    try {
      const inv = await (await engine()).sbomOf(target, ctx, cache ? { cache } : {});
      ctx.finish();
      if (ctx.config.strict && inv.unknowns.length > 0) {
        const first = inv.unknowns[0];
        throw new CustomsError(
          'ANALYZE_INCOMPLETE',
          `${inv.unknowns.length} file(s) could not be analysed (first: /${first?.path}: ${first?.message}); --strict makes that fatal`,
        );
      }
      await writeOutput(
        await render(inv, flags.format, flags.output === undefined && process.stdout.isTTY === true),
        flags.output,
      );
      process.exitCode = EXIT.ok;
    } finally {
      ctx.finish();
      cache?.close();
    }
  });
  return cmd;
}
