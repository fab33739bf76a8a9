import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Path of a file in the `testdata/` folder beside a test's *source* file.
 * Tests run compiled from dist/, testdata stays in src/.
 * Usage: `testdata(import.meta.url, 'bookworm', 'status')`.
 */
export function testdata(metaUrl: string, ...parts: string[]): string {
  const dir = dirname(fileURLToPath(metaUrl)).replace(/([/\\])dist([/\\])/, '$1src$2');
  return join(dir, 'testdata', ...parts);
}
