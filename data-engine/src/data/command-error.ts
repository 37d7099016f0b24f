/** A failure the command line reports as one clear sentence, with its exit code (no stack trace). */
export class DataCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'DataCommandError';
  }
}
