// @ts-check
const Sequencer = require('@jest/test-sequencer').default;

/**
 * The contracts run is a pipeline: consumer tests write the pacts, the spec step checks them against
 * the providers' OpenAPI documents, the publish step sends them to a
 * broker (when configured), provider verifications read them, and the gate check breaks a provider on
 * purpose. Jest orders by speed by default; this orders by stage, then by path for stable output.
 */
const STAGES = ['consumers', 'spec', 'publish', 'providers', 'gate'];

/** @param {string} testPath */
function stage(testPath) {
  const index = STAGES.findIndex((name) => testPath.split(/[\\/]/).includes(name));
  return index === -1 ? STAGES.length : index;
}

class ConsumersFirstSequencer extends Sequencer {
  /** @param {import('@jest/test-result').Test[]} tests */
  sort(tests) {
    return [...tests].sort((a, b) => stage(a.path) - stage(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = ConsumersFirstSequencer;
