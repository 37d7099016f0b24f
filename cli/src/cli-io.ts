/** Where a command writes, and the process it may wire signals on (tests pass stand-ins). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal (the data engine draws progress bars then). */
  interactive: boolean;
  process: Pick<NodeJS.Process, 'on' | 'off'>;
}
