import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { Verifier, type VerifierOptions } from '@pact-foundation/pact';
import { providerStates, type StateHandlers } from '../provider-states';
import type { BrokerConfig } from './broker';
import { VERIFICATIONS_DIR, type PactFile } from './pact-files';
import type { ProviderUnderTest } from './provider-under-test';
import { verificationFailures } from './verification-failures';

/** What one verification of one pact against one implementation found; the matrix reads these. */
export interface VerificationRecord {
  consumer: string;
  provider: string;
  implementation: string;
  passed: boolean;
  interactions: number;
  /** One line per mismatch, naming the interaction and the field or header that did not match. */
  failures: string[];
  /** The local pact file, or the broker the pacts came from. */
  source: string;
  published: boolean;
  durationMs: number;
}

export interface VerifyOptions {
  /** Verify what the broker holds for this consumer (this branch, main, deployed) instead of the local file. */
  broker?: BrokerConfig;
  /** Publish the results to the broker (one implementation per provider does; see provider-implementations.json). */
  publish?: boolean;
}

/**
 * The Verifier replays requests through its own proxy, which forwards a bodiless POST (logout,
 * capture) with `Transfer-Encoding: chunked`, so the app sees a body of no media type (415). Real
 * clients send `Content-Length: 0` there; restore that before forwarding.
 */
const declareEmptyBodies: RequestHandler = (req, _res, next) => {
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.headers['content-length'] = '0';
  }
  next();
};

/** Looked up on any object by JSON.stringify and promise resolution, never state names. */
const OBJECT_PROTOCOL = new Set(['toJSON', 'then']);

/**
 * pact-js only warns about a state it has no handler for and verifies the interaction anyway, against
 * whatever data happens to be there. Provider-state names are part of the contract: fail instead (a
 * handler that throws fails the interaction). Needed with a broker, whose pacts are not read up front.
 */
function strictStates(states: StateHandlers, implementation: string): StateHandlers {
  return new Proxy(states, {
    get(target, name) {
      if (typeof name !== 'string' || name === '' || name in target || OBJECT_PROTOCOL.has(name)) return Reflect.get(target, name);
      return async () => {
        throw new Error(`provider state "${name}" is not implemented for ${implementation}`);
      };
    },
  });
}

export function verifierOptions(pact: PactFile, provider: ProviderUnderTest, states: StateHandlers, options: VerifyOptions = {}): VerifierOptions {
  const common = {
    providerBaseUrl: provider.url,
    stateHandlers: strictStates(states, provider.implementation),
    requestFilter: declareEmptyBodies,
    logLevel: 'error' as const,
  };
  if (!options.broker) return { ...common, pactUrls: [pact.file] };
  return {
    ...common,
    provider: pact.provider,
    pactBrokerUrl: options.broker.url,
    consumerFilters: [pact.consumer],
    consumerVersionSelectors: [{ mainBranch: true }, { branch: options.broker.branch }, { deployedOrReleased: true }],
    failIfNoPactsFound: true,
    publishVerificationResult: options.publish === true,
    providerVersion: options.broker.version,
    providerVersionBranch: options.broker.branch,
  };
}

/** Verifies one pact against one running implementation, with the provider states of its API. */
export async function verifyPact(pact: PactFile, provider: ProviderUnderTest, options: VerifyOptions = {}): Promise<VerificationRecord> {
  const started = Date.now();
  const states = providerStates(pact.provider, provider);
  let failures: string[] = [];
  // With a local file, name every missing state up front rather than one failed interaction each.
  const missing = options.broker ? [] : pact.states.filter((state) => !(state in states));
  if (missing.length > 0) {
    failures = missing.map((state) => `provider state "${state}" is not implemented for ${provider.implementation}`);
  } else {
    try {
      await new Verifier(verifierOptions(pact, provider, states, options)).verifyProvider();
    } catch (error) {
      failures = verificationFailures(error);
    }
  }
  return {
    consumer: pact.consumer,
    provider: pact.provider,
    implementation: provider.implementation,
    passed: failures.length === 0,
    interactions: pact.interactions,
    failures,
    source: options.broker ? options.broker.url : path.relative(process.cwd(), pact.file),
    published: Boolean(options.broker && options.publish),
    durationMs: Date.now() - started,
  };
}

/** Leaves the record where the matrix reporter reads it. */
export function recordVerification(record: VerificationRecord): void {
  writeFileSync(
    path.join(VERIFICATIONS_DIR, `${record.consumer}--${record.provider}--${record.implementation}.json`),
    `${JSON.stringify(record, null, 2)}\n`,
  );
}

/** A failed verification as a test failure message. */
export function describeFailure(record: VerificationRecord): string {
  return [
    `${record.consumer} → ${record.provider} is not honoured by ${record.implementation} (${record.failures.length} mismatch(es)):`,
    ...record.failures.map((line) => `  - ${line}`),
  ].join('\n');
}
