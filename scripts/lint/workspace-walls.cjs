/**
 * The package walls as lint rules (docs/decisions/0047-package-walls.md). A workspace is reached only
 * through the entries its package.json `exports` map makes public: `@strangler/<pkg>` and, where it
 * exports one, `@strangler/<pkg>/testing`. Never `…/dist/…` or `…/src/…` (even while an exports map
 * still lists such a path for a move under way), and never a relative path into another workspace
 * (`import-x/no-relative-packages` compares the nearest package.json of both files).
 * CommonJS so that eslint.config.mjs and the Jest test (scripts/lint/test) load the same rules.
 */
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { createNodeResolver, importX } = require('eslint-plugin-import-x');

const ROOT = path.resolve(__dirname, '../..');

/** Every public import specifier of every workspace, from the root's `workspaces` and each `exports` map. */
function publicEntries(root = ROOT) {
  const { workspaces } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return workspaces.flatMap((dir) => {
    const { name, exports } = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    const subpaths = exports && typeof exports === 'object' ? Object.keys(exports) : ['.'];
    return subpaths
      .filter((subpath) => !/^\.\/(dist|src)\//.test(subpath))
      .map((subpath) => (subpath === '.' ? name : `${name}/${subpath.slice(2)}`));
  });
}

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `no-restricted-imports` options: any `@strangler/<pkg>/<subpath>` that is not a public entry. */
function deepImportRestriction(entries = publicEntries()) {
  const subpathEntries = entries.filter((entry) => entry.split('/').length > 2).map(escapeRegex);
  return {
    patterns: [
      {
        regex: `^(?!(?:${subpathEntries.join('|')})$)@strangler/[^/]+/`,
        message: `Another workspace is imported through the public entries of its package.json "exports" only (${entries.filter((entry) => entry.split('/').length > 2).join(', ')} or a package's name): never dist/, src/ or another subpath (docs/decisions/0047-package-walls.md).`,
      },
    ],
  };
}

/** The flat-config block eslint.config.mjs applies to every file. */
function wallsConfig(root = ROOT) {
  return {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] })] },
    rules: {
      'no-restricted-imports': ['error', deepImportRestriction(publicEntries(root))],
      'import-x/no-relative-packages': 'error',
    },
  };
}

module.exports = { publicEntries, deepImportRestriction, wallsConfig };
