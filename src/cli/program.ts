/**
 * The root of every entry's program: the `customs` command with its version flag,
 * and the settings every command of it shares (applied once the commands are added).
 * The full CLI (index.ts) and the image commands' own entry (image-main.ts) build
 * their programs from these, so a command behaves the same from either entry.
 */
import { Command } from 'commander';
import { terminalMessage, toolVersion } from '../core/index.js';

export function rootProgram(): Command {
  return new Command('customs')
    .description(
      'Container security: read any image, list what is inside, find what is wrong with it, and gate it before it ships.',
    )
    .version(toolVersion(), '-V, --version', 'print the version');
}

/**
 * Settings of the root do not reach commands added with addCommand(): apply them everywhere,
 * so a usage error anywhere exits 2 (not commander's default 1) with a pointer to --help.
 */
export function configureCommands(cmd: Command): Command {
  cmd
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError(`(run "${commandPath(cmd)} --help" for usage and examples)`)
    // Commander's messages quote what was typed (an unknown option, a bad argument): made safe like every message.
    .configureOutput({
      outputError: (s, write) => write(`customs: ${terminalMessage(s.replace(/^error: /, '').trimEnd())}\n`),
    });
  for (const sub of cmd.commands) configureCommands(sub);
  return cmd;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
