import { execFileSync } from 'node:child_process';
import { brokerConfig } from '../support/broker';
import { PACT_DIR, readPacts } from '../support/pact-files';

/**
 * With PACT_BROKER_BASE_URL set, the pacts the consumer tests just wrote are published (version = git
 * commit, branch = git branch) before the providers verify them from the broker. The pact CLI reads
 * PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD from the environment itself.
 */
const broker = brokerConfig();

describe('publishing pacts to a Pact Broker', () => {
  (broker ? it : it.skip)(`publishes the consumer pacts${broker ? ` to ${broker.url}` : ' (only when PACT_BROKER_BASE_URL is set)'}`, () => {
    if (!broker) return;
    expect(readPacts().length).toBeGreaterThan(0);
    const cli = require.resolve('@pact-foundation/pact-cli/bin/pact-broker.js');
    execFileSync(
      process.execPath,
      [cli, 'publish', PACT_DIR, '--broker-base-url', broker.url, '--consumer-app-version', broker.version, '--branch', broker.branch],
      { stdio: 'inherit', timeout: 60_000 },
    );
  });
});
