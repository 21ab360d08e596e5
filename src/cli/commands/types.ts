import type { ParseArgsConfig } from 'node:util';
import type { Io } from '../output';

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** One option in `util.parseArgs` form, with the line `--help` prints for it (parseArgs ignores `help`). */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { help: string };

/** One CLI command: its options and a run that returns the exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  run(args: ParsedArgs, io: Io): Promise<number> | number;
}
