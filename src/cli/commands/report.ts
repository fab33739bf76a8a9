import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { CustomsError, EXIT } from '../../core/index.js';
import { COMPLIANCE_FORMATS, type ComplianceFormat, FRAMEWORKS, type Framework } from '../../report/index.js';
import { writeOutput } from '../output.js';

const report = () => import('../../report/index.js');

interface ComplianceFlags {
  readonly framework: Framework;
  readonly input?: readonly string[];
  readonly format: ComplianceFormat;
  readonly output?: string;
  readonly exitCode?: boolean;
}

export function reportCommand(): Command {
  const cmd = new Command('report').description('Reports over results customs has already produced').addHelpText(
    'after',
    `
Example:
  customs report compliance --framework nist-800-190 --input scan.json docker-bench.json -f html -o nist.html`,
  );
  const compliance = new Command('compliance')
    .description(
      'Map scan, check and bench results to a framework: every control pass, fail or not-assessed, with the evidence that decided it',
    )
    .addOption(new Option('--framework <name>', 'the framework').choices(FRAMEWORKS).makeOptionMandatory())
    .option(
      '--input <files...>',
      'JSON results: customs scan -f json, customs scan dockerfile|k8s -f json, customs bench … -f json',
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(COMPLIANCE_FORMATS).default('json'))
    .option('-o, --output <file>', 'write to FILE instead of stdout (written atomically)')
    .option('--exit-code', 'exit 1 when a control fails')
    .addHelpText(
      'after',
      `
Examples:
  customs scan app:1 -f json -o app.json
  customs scan host -f json -o host.json
  customs scan k8s deploy/ -f json -o k8s.json
  customs bench docker -f json -o docker-bench.json
  customs report compliance --framework nist-800-190 --input app.json host.json k8s.json docker-bench.json -f html -o nist.html
  customs report compliance --framework cis-docker --input docker-bench.json app.json -f csv
  customs report compliance --framework cis-k8s --input node.json cp.json k8s.json -f junit --exit-code

NIST SP 800-190 lists each section 4 countermeasure (image, registry, orchestrator,
container, host OS) once; CIS frameworks list each benchmark control. A control no
input speaks to is not-assessed (docs/compliance.md). Exit status: 0 ok, 1 a control
failed with --exit-code, 2 usage error, 3 an input is not a customs result.`,
    )
    .action(async (flags: ComplianceFlags) => {
      const r = await report();
      const inputs = [];
      for (const file of flags.input ?? []) {
        const text = await readFile(file, 'utf8').catch((e: unknown) => {
          throw new CustomsError('COMPLIANCE_INPUT_INVALID', `--input ${file}: ${(e as Error).message}`, e);
        });
        inputs.push(r.parseComplianceInput(text, file));
      }
      const doc = r.complianceReport(flags.framework, inputs);
      await writeOutput(r.renderCompliance(doc, flags.format, new Date()), flags.output);
      process.exitCode = flags.exitCode && doc.controls.some((c) => c.status === 'fail') ? EXIT.policyFailed : EXIT.ok;
    });
  cmd.addCommand(compliance);
  return cmd;
}
