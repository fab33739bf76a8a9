/**
 * Helper of perf/secrets-vs-trivy.sh (issue 5, secrets speed and quality).
 *   node dist-test/perf/secrets-bench.js scan ARCHIVE OUT.json
 *     customs' secret scanning of a docker-archive exactly as
 *     `customs scan --scanners secret` runs it (engine scan: layers on
 *     worker threads, deleted files included, files owned by OS packages left
 *     out, plus the image config and history); findings as JSON.
 *   node dist-test/perf/secrets-bench.js score MANIFEST CUSTOMS.json TRIVY.json
 *     precision and recall of both tools on the corpus files (by path and
 *     line: the tools' rule ids differ), one line each, then "recall NAME R"
 *     lines for the script's target.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createContext } from '../src/core/index.js';
import { scan as scanTarget } from '../src/engine/index.js';

interface Finding {
  readonly path: string;
  readonly line?: number;
  readonly ruleId: string;
  readonly layerIndex?: number;
  readonly hiddenByLayerIndex?: number;
}

async function scan(archive: string, out: string): Promise<void> {
  const ctx = createContext({ config: { cache: false } });
  const result = await scanTarget(`docker-archive:${archive}`, { scanners: ['secret'] }, ctx);
  const layers = result.inventory.target.layers.map((l) => l.diffID as string);
  const index = (diffID: string | undefined): number | undefined =>
    diffID === undefined ? undefined : layers.indexOf(diffID);
  const files: Finding[] = [];
  const config: Finding[] = [];
  for (const s of result.secrets ?? []) {
    if (s.path === undefined) {
      config.push({ path: s.location, ruleId: s.ruleId });
      continue;
    }
    const layerIndex = index(s.layer);
    const hiddenByLayerIndex = index(s.hiddenByLayer);
    files.push({
      path: s.path,
      ...(s.line === undefined ? {} : { line: s.line }),
      ruleId: s.ruleId,
      ...(layerIndex === undefined ? {} : { layerIndex }),
      ...(hiddenByLayerIndex === undefined ? {} : { hiddenByLayerIndex }),
    });
  }
  writeFileSync(out, `${JSON.stringify({ files, config }, null, 2)}\n`);
}

interface TrivyReport {
  readonly Results?: readonly {
    readonly Target?: string;
    readonly Secrets?: readonly { readonly RuleID?: string; readonly StartLine?: number }[];
  }[];
}

function score(manifestFile: string, customsFile: string, trivyFile: string): void {
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { expected: { path: string; line: number }[] };
  const expected = new Set(manifest.expected.map((e) => `${e.path}:${e.line}`));
  const customs = JSON.parse(readFileSync(customsFile, 'utf8')) as { files: Finding[]; config: Finding[] };
  const trivy = JSON.parse(readFileSync(trivyFile, 'utf8')) as TrivyReport;
  const trivyKeys = (trivy.Results ?? []).flatMap((r) =>
    (r.Secrets ?? []).map((s) => `${(r.Target ?? '').replace(/^\/+/, '')}:${s.StartLine ?? 0}`),
  );
  const recalls: string[] = [];
  const line = (name: string, keys: readonly string[], configFindings: number | string): string => {
    const got = new Set(keys);
    const tp = [...got].filter((k) => expected.has(k)).length;
    const precision = got.size === 0 ? 1 : tp / got.size;
    const recall = tp / expected.size;
    const missed = [...expected].filter((k) => !got.has(k));
    recalls.push(`recall ${name} ${recall.toFixed(3)}`);
    return `  ${name.padEnd(8)} files: ${got.size} found, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}; config/history findings: ${configFindings}${missed.length > 0 ? `; missed ${missed.slice(0, 8).join(' ')}${missed.length > 8 ? ' …' : ''}` : ''}`;
  };
  console.log(`corpus: ${expected.size} planted secrets in files (incl. deleted ones)`);
  console.log(
    line(
      'customs',
      customs.files.map((f) => `${f.path}:${f.line ?? 0}`),
      customs.config.length,
    ),
  );
  console.log(line('trivy', trivyKeys, 'not scanned (--scanners secret)'));
  // Machine-readable lines for perf/secrets-vs-trivy.sh's recall target.
  for (const r of recalls) console.log(r);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'scan' && args.length === 2) await scan(args[0] as string, args[1] as string);
else if (mode === 'score' && args.length === 3) score(args[0] as string, args[1] as string, args[2] as string);
else {
  console.error('usage: secrets-bench.js scan ARCHIVE OUT.json | score MANIFEST CUSTOMS.json TRIVY.json');
  process.exit(2);
}
