// @ts-check
/**
 * Prints the contract matrix after the contracts run — consumer × provider implementation × result —
 * writes it to contracts/results/matrix.json for CI to gate on, and fails the run (through Jest's
 * reporter error hook) unless every cell was verified. A cell is every pact of this run times every
 * implementation provider-implementations.json says serves its provider; a cell with no verdict
 * (a suite that crashed, a missing implementation) fails like a failed verification.
 */
const { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const CONTRACTS_DIR = path.resolve(__dirname, '../../..');
const PACT_DIR = path.join(CONTRACTS_DIR, 'pacts');
const RESULTS_DIR = path.join(CONTRACTS_DIR, 'results');
const VERIFICATIONS_DIR = path.join(RESULTS_DIR, 'verifications');
const MATRIX_FILE = path.join(RESULTS_DIR, 'matrix.json');

/** @param {string} dir */
const jsonFiles = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')))
    : [];

function buildMatrix() {
  /** @type {Record<string, { servedBy: string[] }>} */
  const serving = JSON.parse(readFileSync(path.join(__dirname, 'provider-implementations.json'), 'utf8'));
  const records = jsonFiles(VERIFICATIONS_DIR);
  const pacts = jsonFiles(PACT_DIR).map((pact) => ({ consumer: pact.consumer.name, provider: pact.provider.name, interactions: pact.interactions.length }));
  const cells = [];
  for (const pact of pacts) {
    const implementations = serving[pact.provider]?.servedBy ?? [];
    if (implementations.length === 0) {
      cells.push({ ...pact, implementation: '(none)', result: 'not-verified', failures: [`no implementation serves provider "${pact.provider}"`] });
    }
    for (const implementation of implementations) {
      const record = records.find((r) => r.consumer === pact.consumer && r.provider === pact.provider && r.implementation === implementation);
      cells.push({
        ...pact,
        implementation,
        result: record ? (record.passed ? 'verified' : 'failed') : 'not-verified',
        failures: record ? record.failures : ['no verification ran'],
        published: record ? record.published : false,
      });
    }
  }
  const passed = cells.length > 0 && cells.every((cell) => cell.result === 'verified');
  return { generatedAt: new Date().toISOString(), passed, pacts: pacts.length, cells };
}

/** @param {ReturnType<typeof buildMatrix>} matrix */
function render(matrix) {
  const symbol = { verified: '✔ verified', failed: '✘ FAILED', 'not-verified': '✘ NOT VERIFIED' };
  const rows = [['consumer', 'provider', 'implementation', 'result', 'interactions']].concat(
    matrix.cells.map((cell) => [cell.consumer, cell.provider, cell.implementation, symbol[/** @type {keyof typeof symbol} */ (cell.result)], String(cell.interactions)]),
  );
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = rows.map((row) => `  ${row.map((text, column) => text.padEnd(widths[column])).join('   ')}`.trimEnd());
  lines.splice(1, 0, `  ${widths.map((width) => '-'.repeat(width)).join('   ')}`);
  const verdict = matrix.passed
    ? `every pact verified against every implementation that serves it (${matrix.cells.length} cells)`
    : matrix.cells.length === 0
      ? 'no pacts: the consumer tests wrote nothing'
      : `${matrix.cells.filter((cell) => cell.result !== 'verified').length} of ${matrix.cells.length} cells not verified`;
  return ['', 'Contract matrix (consumer × provider implementation)', ...lines, '', `  ${matrix.passed ? 'PASS' : 'FAIL'}: ${verdict}`, `  written to ${path.relative(process.cwd(), MATRIX_FILE)}`, ''].join('\n');
}

class MatrixReporter {
  constructor() {
    /** @type {Error | undefined} */
    this.error = undefined;
  }

  onRunComplete() {
    const matrix = buildMatrix();
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(MATRIX_FILE, `${JSON.stringify(matrix, null, 2)}\n`);
    process.stdout.write(`${render(matrix)}\n`);
    this.error = matrix.passed ? undefined : new Error('contract matrix: not every pact was verified against every implementation');
  }

  /** Jest fails the run when a reporter reports an error here. */
  getLastError() {
    return this.error;
  }
}

module.exports = MatrixReporter;
