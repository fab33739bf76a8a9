import type { PackageFact } from '../../core/index.js';
import type { Analyzer } from '../types.js';
import { invalidFile, isRecord, LIMITS, limitExceeded, parseJsonFile } from './limits.js';
import { ANALYZER_VERSIONS } from '../analyzer-ids.js';

/**
 * .NET `*.deps.json` (dotnet/runtime docs/design/features/host-runtime-information,
 * "deps.json"): `libraries` is keyed "Name/Version"; entries of type "package"
 * are NuGet packages. "project" (the app and its project references) and
 * "reference" (framework assemblies) are not packages, and are skipped.
 */
export const dotnetDeps: Analyzer = {
  name: 'dotnet-deps',
  version: ANALYZER_VERSIONS['dotnet-deps'],
  wants: (path) => path.endsWith('.deps.json'),
  analyze(file) {
    const doc = parseJsonFile(file.path, file.text());
    if (!isRecord(doc)) throw invalidFile(file.path, 'deps.json is not a JSON object');
    if (doc.libraries === undefined) return {};
    if (!isRecord(doc.libraries)) throw invalidFile(file.path, '"libraries" is not an object');
    const facts: PackageFact[] = [];
    for (const [key, lib] of Object.entries(doc.libraries)) {
      if (!isRecord(lib) || lib.type !== 'package') continue;
      const slash = key.lastIndexOf('/');
      if (slash <= 0 || slash === key.length - 1) continue;
      if (facts.length >= LIMITS.maxPackagesPerFile)
        throw limitExceeded(file.path, `more than ${LIMITS.maxPackagesPerFile} packages`);
      facts.push({
        ecosystem: 'nuget',
        name: key.slice(0, slash),
        version: key.slice(slash + 1),
      });
    }
    return { packages: facts };
  },
};
