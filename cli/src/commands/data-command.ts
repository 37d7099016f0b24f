import { runDataCommand } from '@strangler/data-engine';
import type { CliIo } from '../cli-io';

/** The data engine's command names; `strangler <name> ...` is `strangler data <name> ...`. */
export const DATA_COMMANDS = new Set(['capture', 'backfill', 'sync', 'verify']);

/**
 * `strangler data ...`: a pass-through to the data engine's own command line (its `runDataCommand`),
 * unchanged: same arguments, output, signals and exit codes. Only its self-references are reworded.
 * The gates do not come this way: they call the engine's library (engine-checks.ts, switch-databases.ts).
 */
export async function runData(argv: readonly string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const reword = (text: string) => text.replaceAll('npm run data -- ', 'strangler data ');
  return runDataCommand(argv, env, {
    out: (text) => io.out(reword(text)),
    err: (text) => io.err(reword(text)),
    interactive: io.interactive,
    process: io.process,
  });
}
