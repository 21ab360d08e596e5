import type { Io } from '../../src/cli/output';

/** An `Io` that collects what a CLI command prints, a line per call, as a terminal would show it. */
export function capture(): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t + '\n'), err: (t: string) => void (io.stderr += t + '\n') };
  return io;
}
