import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The customs version, from the package's package.json: the nearest one above
 * this module whose name is "customs" (works from dist/ modules and from the
 * bundled CLI alike).
 */
export function toolVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'customs' && pkg.version) {
          cached = pkg.version;
          return cached;
        }
      } catch {
        // not ours; keep looking
      }
    }
    dir = dirname(dir);
  }
  cached = '0.0.0-unknown';
  return cached;
}
