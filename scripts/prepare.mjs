// npm's `prepare` (runs after `npm install` / `npm ci` in a clone): compile once, so the first
// `npm start` only has to check the build is up to date (~0.3 s instead of ~13 s). A tree that does not
// compile right now must not make `npm install` fail: the failure is shown, and `npm start` /
// `npm test` build again and stop there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
if (!existsSync(tsc)) process.exit(0); // production install without dev dependencies: nothing to build with

const started = Date.now();
const result = spawnSync(process.execPath, [tsc, '-b'], { cwd: ROOT, stdio: 'inherit' });
if (result.status === 0) {
  process.stdout.write(`prepare: built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
} else {
  process.stderr.write('prepare: the build failed (see above); npm start and npm test will build again\n');
}
