/**
 * Exit codes of every `strangler` command. 3 and 130 are the data engine's own (its commands are
 * delegated unchanged); 4 is a stage change refused by a gate.
 */
export const EXIT = {
  ok: 0,
  /** Something could not be reached or done: the edge, a sync worker, Unleash, the flags file, a database. */
  failed: 1,
  /** Bad command line or configuration. */
  usage: 2,
  /** `data verify`: the two sides differ. */
  drift: 3,
  /** `flip` / `rollback`: the data is not ready for that stage change (see the reasons; --force overrides). */
  refused: 4,
} as const;

/** One of EXIT's codes, or a code passed through from a process the CLI ran. */
export type ExitCode = number;
