/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP while a command writes: the temporary files being written
 * are removed, then the process ends by the same signal (as the shell expects of an interrupted
 * program). Targets are only ever replaced by a rename of a complete file, so an interrupt leaves
 * neither a partial target nor a temporary file.
 */
import { removePendingTemps } from '../io/atomic-write';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Installs the handlers for the rest of the process (the command line's own process only: a library must not take over signals). */
export function cleanUpOnSignals(): void {
  const handler = (signal: NodeJS.Signals) => {
    removePendingTemps();
    for (const s of SIGNALS) process.removeListener(s, handler);
    process.kill(process.pid, signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
}
