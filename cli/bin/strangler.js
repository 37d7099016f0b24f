#!/usr/bin/env node
// `npx strangler ...`: the compiled CLI (npm run build first).
'use strict';
try {
  require.resolve('../dist/main.js');
} catch {
  process.stderr.write('strangler: the CLI is not built yet: run `npm run build` at the repository root\n');
  process.exit(1);
}
require('../dist/main.js');
