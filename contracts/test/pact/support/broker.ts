import { execFileSync } from 'node:child_process';

/** A Pact Broker to publish to, configured by the environment; none means local pact files only. */
export interface BrokerConfig {
  url: string;
  /** The git commit: consumer version of published pacts and provider version of results. */
  version: string;
  branch: string;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * PACT_BROKER_BASE_URL turns publishing on (credentials: PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and
 * PACT_BROKER_PASSWORD, read by pact-core and the pact CLI themselves). The version is GIT_COMMIT or
 * `git rev-parse HEAD`, the branch GIT_BRANCH or the checked-out branch.
 */
export function brokerConfig(env: NodeJS.ProcessEnv = process.env, readGit = git): BrokerConfig | undefined {
  const url = env.PACT_BROKER_BASE_URL?.trim();
  if (!url) return undefined;
  const version = env.GIT_COMMIT?.trim() || readGit(['rev-parse', 'HEAD']);
  const branch = env.GIT_BRANCH?.trim() || readGit(['rev-parse', '--abbrev-ref', 'HEAD']);
  if (!version || !branch || branch === 'HEAD') {
    throw new Error('PACT_BROKER_BASE_URL is set but the git commit or branch is unknown: set GIT_COMMIT and GIT_BRANCH');
  }
  return { url: url.replace(/\/+$/, ''), version, branch };
}
