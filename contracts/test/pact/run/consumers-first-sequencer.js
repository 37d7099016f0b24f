const Sequencer = require('@jest/test-sequencer').default;

/** Consumer tests write the pacts, provider verifications read them, the incompatible-provider
 * check reads them too: run in that order (and by path within a stage, for stable output). */
const stage = (testPath) => (/[\\/]consumers[\\/]/.test(testPath) ? 0 : /[\\/]providers[\\/]/.test(testPath) ? 1 : 2);

class ConsumersFirstSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => stage(a.path) - stage(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = ConsumersFirstSequencer;
