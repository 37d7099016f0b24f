#!/usr/bin/env node
import { runDataCommand } from './data-command';

runDataCommand(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
  process,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`data: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
