import { main } from '../../src/cli/main';
import type { Io } from '../../src/cli/output';

/** An `Io` that collects what a CLI command prints, a line per call, as a terminal would show it. */
export function capture(): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t + '\n'), err: (t: string) => void (io.stderr += t + '\n') };
  return io;
}

/** Runs the CLI in this process as `instancenorm-shim ...argv` would, with its exit code and what it printed. */
export async function runCli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await main([...argv], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}
