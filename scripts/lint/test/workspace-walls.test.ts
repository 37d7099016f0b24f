import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

// The same block eslint.config.mjs applies (CommonJS, so Jest loads it as the config does).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { publicEntries, wallsConfig } = require('../workspace-walls.cjs') as { publicEntries: () => string[]; wallsConfig: () => Linter.Config };

const ROOT = path.resolve(__dirname, '../../..');
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, { files: ['**/*.ts'], ...wallsConfig() }],
});

/** The rules that fire on one import line in a file at `file` (the file need not exist; its imports are resolved from there). */
async function wallsBroken(file: string, importLine: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${importLine}\nvoid x;\n`, { filePath: path.join(ROOT, file) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('the package walls (lint)', () => {
  it.each([
    ['compiled output of another workspace', 'cli/src/sample.ts', "import { x } from '@strangler/edge/dist/flags/stage';"],
    ['another workspace\'s sources', 'cli/test/sample.test.ts', "import { x } from '@strangler/monolith/src/app';"],
    ['a file behind a public entry', 'edge/test/sample.test.ts', "import { x } from '@strangler/kit/testing/redis';"],
    ['a subpath the package does not export', 'monolith/src/sample.ts', "import { x } from '@strangler/auth-api/testing';"],
    ['a module behind the edge\'s main entry', 'cli/test/sample.test.ts', "import { x } from '@strangler/edge/config';"],
    ['a deep path of a package that exports only its index', 'cli/test/sample.test.ts', "import { x } from '@strangler/migrations/data/capabilities';"],
  ])('fail on %s', async (_what, file, line) => {
    expect(await wallsBroken(file, line)).toEqual(['no-restricted-imports']);
  });

  it.each([
    ['a test into another workspace\'s sources', 'services/payments/test/sample.test.ts', "import { x } from '../../../monolith/src/app';"],
    ['a test into another workspace\'s test support', 'contracts/test/behaviour/sample.ts', "import { x } from '../../../services/auth/src/testing';"],
    ['a source into a sibling workspace', 'api/auth/src/sample.ts', "import { x } from '../../payments/src/payment';"],
    ['a test into the edge\'s test support', 'cli/test/sample.test.ts', "import { x } from '../../edge/src/testing';"],
  ])('fail on a relative import from %s', async (_what, file, line) => {
    expect(await wallsBroken(file, line)).toEqual(['import-x/no-relative-packages']);
  });

  it.each([
    ['a package\'s main entry', 'cli/src/sample.ts', "import { x } from '@strangler/kit';"],
    ['a testing entry', 'contracts/test/sample.ts', "import { x } from '@strangler/monolith/testing';"],
    ['kit\'s testing entry', 'edge/test/sample.test.ts', "import { x } from '@strangler/kit/testing';"],
    ['the edge\'s testing entry', 'cli/test/sample.test.ts', "import { x } from '@strangler/edge/testing';"],
    ['a relative import inside the workspace', 'services/payments/test/sample.test.ts', "import { x } from '../src/testing';"],
    ['another library', 'monolith/src/sample.ts', "import { x } from 'zod/v4';"],
  ])('allow %s', async (_what, file, line) => {
    expect(await wallsBroken(file, line)).toEqual([]);
  });

  it('read the public entries from the exports maps', () => {
    expect(publicEntries()).toEqual(expect.arrayContaining(['@strangler/kit', '@strangler/kit/testing', '@strangler/monolith/testing', '@strangler/edge/testing', '@strangler/payments-api']));
    expect(publicEntries().filter((entry) => /\/(dist|src)\//.test(entry))).toEqual([]);
  });
});
