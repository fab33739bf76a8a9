import { Command } from 'commander';
import { defaultConfig } from '../../core/index.js';
import { openLayerCache } from '../cache.js';

export function cacheCommand(): Command {
  const cmd = new Command('cache')
    .description('Manage the local layer cache')
    .addHelpText('after', '\nExample:\n  customs cache clean --cache-dir ~/.cache/customs');
  cmd
    .command('clean')
    .description('Remove every cached layer analysis')
    .option('--cache-dir <dir>', 'cache directory (env CUSTOMS_CACHE_DIR)')
    .addHelpText('after', '\nExample:\n  customs cache clean')
    .action(async (flags: { cacheDir?: string }) => {
      const dir = flags.cacheDir ?? defaultConfig().cacheDir;
      const cache = await openLayerCache(dir);
      const n = cache.clear();
      cache.close();
      process.stderr.write(`removed ${n} cached layer result(s) from ${dir}\n`);
    });
  return cmd;
}
