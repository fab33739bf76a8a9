import { Command } from 'commander';
import { defaultConfig } from '../../core/index.js';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function cacheCommand(): Command {
  const cmd = new Command('cache')
    .description('Manage the local layer cache')
    .addHelpText('after', '\nExample:\n  customs cache clean --cache-dir ~/.cache/customs');
  cmd
    .command('clean')
    .description(
      'Remove every cached layer analysis and image merge and shrink the cache file; a damaged cache (not a database, corrupt) is deleted',
    )
    .option('--cache-dir <dir>', 'cache directory (env CUSTOMS_CACHE_DIR)')
    .addHelpText('after', '\nExample:\n  customs cache clean')
    .action(async (flags: { cacheDir?: string }) => {
      const dir = flags.cacheDir ?? defaultConfig().cacheDir;
      const r = await (await import('../cache.js')).cleanLayerCache(dir);
      const files = r.removedFiles.length > 0 ? `, deleted ${r.removedFiles.join(', ')}` : '';
      process.stderr.write(
        `removed ${r.removedLayers} cached layer result(s) and ${r.removedImages} image merge(s) from ${dir}${files} (${size(r.bytesBefore)} → ${size(r.bytesAfter)})\n`,
      );
    });
  return cmd;
}
