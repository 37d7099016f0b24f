/**
 * The contracts run (`npm run contracts`): Pact consumer tests, then every provider verification, in
 * one process (pact files are shared state; see ../shared notes on Pact). The consumer tests write
 * pacts/, the verifications read them: the sequencer runs them in that order, and the matrix reporter
 * prints and gates on what the verifications recorded.
 */
const base = require('../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/contracts'],
  testMatch: ['<rootDir>/contracts/test/pact/**/*.pact.ts'],
  globalSetup: '<rootDir>/contracts/test/pact/run/global-setup.ts',
  testSequencer: '<rootDir>/contracts/test/pact/run/consumers-first-sequencer.js',
  reporters: ['default', '<rootDir>/contracts/test/pact/run/matrix-reporter.js'],
  maxWorkers: 1,
  testTimeout: 60000,
};
