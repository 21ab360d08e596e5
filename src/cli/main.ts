#!/usr/bin/env node
/**
 * instancenorm-shim's command line: `instancenorm-shim <command> [options]`. With no command it
 * runs `compare`, the main job. Exit codes: 0 ok, 1 a check failed, 2 bad usage or input.
 */
import { parseArgs } from 'node:util';
import { isPyError } from '../core/errors';
import { compare } from './commands/compare';
import { convert } from './commands/convert';
import { docs } from './commands/docs';
import { exportCommand } from './commands/export';
import { port } from './commands/port';
import { site } from './commands/site';
import type { Command } from './commands/types';
import { cleanUpOnSignals } from './interrupt';
import { processIo, type Io } from './output';
import { packageVersion } from './package-info';

export const COMMANDS: readonly Command[] = [compare, convert, exportCommand, docs, port, site];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: instancenorm-shim <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'instancenorm-shim <command> --help' for a command's options; add --json for machine-readable output.",
    "'instancenorm-shim --version' prints the version.",
  ].join('\n');
}

/** A command's `--help`: usage, what it does, then each option with its value and default. */
function commandHelp(command: Command): string {
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const flag = spec.type === 'string' ? `--${name} ${name.toUpperCase().replace(/-/g, '_')}` : `--${name}`;
    const shown = spec.type === 'string' && spec.default !== undefined ? ` (default: ${spec.default})` : '';
    return [flag, `${spec.help}${shown}`];
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `usage: instancenorm-shim ${command.usage}`,
    '',
    command.summary,
    '',
    'options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    `  ${'--help'.padEnd(width)}  show this help`,
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    io.out(help());
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.out(packageVersion());
    return 0;
  }
  const command = first === undefined || first.startsWith('-') ? compare : COMMANDS.find((c) => c.name === first);
  const args = first === undefined || first.startsWith('-') ? argv : rest;
  if (!command) {
    io.err(`instancenorm-shim: unknown command '${first}'\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(commandHelp(command));
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: command.options, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`instancenorm-shim ${command.name}: ${(err as Error).message}\nusage: instancenorm-shim ${command.usage}`);
    return 2;
  }
  try {
    return await command.run(parsed, io);
  } catch (err) {
    // Python-style errors (SyntaxError for Python source that does not parse) carry their name.
    const name = isPyError(err) || (err as Error).name === 'SyntaxError' ? `${(err as Error).name}: ` : '';
    io.err(`instancenorm-shim ${command.name}: ${name}${(err as Error).message}`);
    return 2;
  }
}

if (require.main === module) {
  cleanUpOnSignals();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
