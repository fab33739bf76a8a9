import { readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { CustomsError, EXIT, stableJson } from '../../core/index.js';
import { withImageContext } from '../image-command.js';
import { contextFrom } from '../options.js';
import { writeOutput } from '../output.js';

const runtime = () => import('../../runtime/index.js');

const json = (v: unknown): string => `${stableJson(v, 2)}\n`;

function verifyCommand(): Command {
  return new Command('verify')
    .description("Check a bundle made by `customs ir` against its manifest's SHA-256 hashes")
    .argument('<bundle>', 'the .tar.gz bundle')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText(
      'after',
      `
Examples:
  customs ir verify web-1.tar.gz
  customs ir verify web-1.tar.gz -f json | jq .manifestSha256

Exit status: 0 the bundle matches its manifest, 1 it does not, 3 not a bundle.`,
    )
    .action(async (bundle: string, flags: { format: 'table' | 'json' }) => {
      const rt = await runtime();
      const gz = await readFile(bundle).catch((e: Error) => {
        throw new CustomsError('RUNTIME_INPUT_INVALID', `cannot read ${bundle}: ${e.message}`, e);
      });
      const r = await rt.verifyBundle(gz);
      const text =
        flags.format === 'json'
          ? json(r)
          : `${r.ok ? 'OK' : 'FAILED'} ${bundle}: ${r.files} files${r.container ? ` of container ${r.container.name} (${r.container.id.slice(0, 12)})` : ''}\n` +
            (r.manifestSha256 ? `manifest ${r.manifestSha256}\n` : '') +
            (r.custody
              ? `collected by ${r.custody.collectedBy} on ${r.custody.host} at ${r.custody.finishedAt}\n`
              : '') +
            r.problems.map((p) => `problem: ${p}\n`).join('');
      await writeOutput(text, undefined);
      process.exitCode = r.ok ? EXIT.ok : EXIT.policyFailed;
    });
}

function planCommand(signal: AbortSignal): Command {
  return new Command('plan')
    .description('The rip-and-replace plan for a CVE or an image: affected workloads, fixes, rebuild/redeploy order')
    .argument('<cve-or-image>', 'a vulnerability ID (CVE-…, GHSA-…) or an image on this node (ID, ID prefix or tag)')
    .requiredOption('--store <dir|url>', 'the store holding the scans (customs serve, or a local store)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .addHelpText(
      'after',
      `
Joins the store's findings with this node's containers (customs sensor inventory).
Findings on packages the sensor saw in use sort first.

Examples:
  customs ir plan CVE-2024-3094 --store /var/lib/customs
  customs ir plan shop/web:1.4 --store postgres://customs@db/customs -f json

Exit status: 0 nothing affected, 1 workloads are affected, 2 usage error, 3 input error.`,
    )
    .action(async (query: string, flags: { store: string; format: 'markdown' | 'json'; output?: string }) => {
      const rt = await runtime();
      const ctx = contextFrom({ quiet: true }, signal);
      const store = await (await import('../../store/index.js')).openStore(flags.store);
      try {
        const inventory = await rt.nodeInventory(ctx);
        const inUse = await rt.inUseFromStore(store, inventory);
        const plan = await rt.ripPlan(query, ctx, { store, inventory, inUse, api: rt.dockerApiOf(ctx) });
        await writeOutput(flags.format === 'json' ? json(plan) : rt.planMarkdown(plan), flags.output);
        process.exitCode = plan.images.length > 0 ? EXIT.policyFailed : EXIT.ok;
      } finally {
        await store.close();
      }
    });
}

export function irCommand(signal: AbortSignal): Command {
  const cmd = new Command('ir')
    .description('Incident response: a forensic bundle of a container, its verification, and the rip-and-replace plan')
    .argument('[container]', 'container ID, ID prefix or name')
    .option('-o, --output <file>', 'bundle file (.tar.gz)')
    .option(
      '--alerts-from <store>',
      "add the sensor's alerts on the container from this store (dir or postgres:// URL)",
    )
    .option('--case <id>', 'case or ticket ID recorded in the chain of custody')
    .option('--max-file-size <bytes>', 'largest changed file copied into the bundle', '1048576')
    .option('--max-total-size <bytes>', 'all changed files together', '33554432')
    .addHelpText(
      'after',
      `
Collects, as root on the container's node: image digest and config, container
inspect, process tree, open connections (/proc/PID/net/*), drift with hashes and
the changed files (up to the caps), the Engine's events, orchestrator labels,
and a manifest of SHA-256 hashes with the chain of custody (who, where, when).
The layout is reproducible: sorted entries, fixed modes, owners and mtimes.

Examples:
  customs ir web-1 -o web-1.tar.gz --case INC-2041
  customs ir verify web-1.tar.gz
  customs ir plan CVE-2024-3094 --store /var/lib/customs -f markdown

Exit status: 0 ok, 2 usage error, 3 no such container.`,
    )
    .action(
      async (
        container: string | undefined,
        flags: { output?: string; alertsFrom?: string; case?: string; maxFileSize: string; maxTotalSize: string },
      ) => {
        if (!container)
          throw new CustomsError('USAGE_BAD_ARGUMENT', 'name a container: customs ir CONTAINER -o bundle.tar.gz');
        if (!flags.output) throw new CustomsError('USAGE_BAD_FLAG', 'say where the bundle goes: -o bundle.tar.gz');
        const output = flags.output;
        const rt = await runtime();
        await withImageContext({ quiet: true }, signal, async (ctx) => {
          let alerts: import('../../store/index.js').EventRecord[] | undefined;
          if (flags.alertsFrom) {
            const store = await (await import('../../store/index.js')).openStore(flags.alertsFrom);
            try {
              alerts = (await store.events.list({ type: 'runtime.alert', limit: 100_000 })).filter((e) =>
                e.subject.startsWith(container),
              );
            } finally {
              await store.close();
            }
          }
          const gz = await rt.collectBundle(container, ctx, {
            maxFileBytes: Number(flags.maxFileSize),
            maxTotalBytes: Number(flags.maxTotalSize),
            command: ['customs', ...process.argv.slice(2)],
            ...(alerts ? { alerts } : {}),
            ...(flags.case ? { caseId: flags.case } : {}),
          });
          await writeFile(output, gz);
          const v = await rt.verifyBundle(gz);
          process.stderr.write(`wrote ${output}: ${v.files} files, manifest ${v.manifestSha256}\n`);
        });
        process.exitCode = EXIT.ok;
      },
    );
  cmd.addCommand(verifyCommand());
  cmd.addCommand(planCommand(signal));
  return cmd;
}
