import { EXIT, type ExitCode } from './exit-codes';

/** A failure the CLI explains in one sentence and maps to an exit code; anything else is a bug (stack shown). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
