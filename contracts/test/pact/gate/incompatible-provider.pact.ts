import { readPacts } from '../support/pact-files';
import { verifyPact } from '../support/verify-pact';
import { startMonolithProvider, startPaymentsServiceProvider } from '../providers/start-providers';
import type { ProviderUnderTest } from '../support/provider-under-test';
import { REMOVE, startJsonRewritingProxy, type MemberRewrite } from './json-rewriting-proxy';

/**
 * Proves the gate can fail: the pacts verified against deliberately incompatible variants of a
 * provider (a real implementation behind a proxy that breaks one field of every answer) must fail, with a
 * message naming the field. Not recorded in the matrix: these variants serve nobody.
 */
interface Variant {
  breakage: string;
  consumer: string;
  provider: string;
  /** The real implementation behind the breaking proxy (the monolith unless said). */
  start?: () => Promise<ProviderUnderTest>;
  rewrite: MemberRewrite;
  /** What the failure message must say: the field, and how it broke. */
  named: RegExp;
}

const variants: Variant[] = [
  {
    breakage: 'amount as a number instead of a decimal string',
    consumer: 'web-client',
    provider: 'payments',
    rewrite: (key, value) => (key === 'amount' && typeof value === 'string' ? Number(value) : value),
    named: /\$\.payment\.amount -> Expected 19\.99 \(Decimal\) to be the same type as '19\.99' \(String\)/,
  },
  {
    breakage: 'amount as a number, from the payments service',
    consumer: 'web-client',
    provider: 'payments',
    start: startPaymentsServiceProvider,
    rewrite: (key, value) => (key === 'amount' && typeof value === 'string' ? Number(value) : value),
    named: /\$\.payment\.amount -> Expected 19\.99 \(Decimal\) to be the same type as '19\.99' \(String\)/,
  },
  {
    breakage: 'createdAt as epoch milliseconds instead of ISO 8601',
    consumer: 'web-client',
    provider: 'payments',
    rewrite: (key, value) => (key === 'createdAt' && typeof value === 'string' ? Date.parse(value) : value),
    named: /\$\.payment\.createdAt -> /,
  },
  {
    breakage: "the legacy table's upper-case status leaking out",
    consumer: 'web-client',
    provider: 'payments',
    rewrite: (key, value) => (key === 'status' && typeof value === 'string' ? value.toUpperCase() : value),
    named: /\$\.payment\.status -> Expected 'AUTHORIZED'/,
  },
  {
    breakage: 'capturedAmount missing, which checkout reads',
    consumer: 'monolith-checkout',
    provider: 'payments',
    rewrite: (key, value) => (key === 'capturedAmount' ? REMOVE : value),
    named: /\$\.payment -> Actual map is missing the following keys: capturedAmount/,
  },
  {
    breakage: 'the session token missing',
    consumer: 'web-client',
    provider: 'auth',
    rewrite: (key, value) => (key === 'token' ? REMOVE : value),
    named: /missing the following keys: token/,
  },
  {
    breakage: 'problem answers without their stable code',
    consumer: 'web-client',
    provider: 'auth',
    rewrite: (key, value) => (key === 'code' ? REMOVE : value),
    named: /missing the following keys: code/,
  },
  {
    breakage: 'order total as a number',
    consumer: 'web-client',
    provider: 'orders',
    rewrite: (key, value) => (key === 'total' && typeof value === 'string' ? Number(value) : value),
    named: /\$\.order\.total -> /,
  },
];

describe('the contracts gate fails against an incompatible provider', () => {
  const pacts = readPacts();

  beforeAll(() => {
    // The verifier prints its own report: say why this part of the log is full of failures.
    process.stdout.write('\n[contracts] verifying against deliberately broken providers: the failures printed below are expected\n\n');
    // pact-core logs every failed verification through console.log; here failing is the point.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  afterAll(() => {
    jest.restoreAllMocks();
  });

  it.each(variants.map((variant) => [variant.breakage, variant] as const))('%s', async (_breakage, variant) => {
    const pact = pacts.find((candidate) => candidate.consumer === variant.consumer && candidate.provider === variant.provider);
    if (!pact) throw new Error(`no ${variant.consumer} → ${variant.provider} pact: did the consumer tests run first?`);
    const real = await (variant.start ?? startMonolithProvider)();
    const proxy = await startJsonRewritingProxy(real.url, variant.rewrite);
    try {
      const record = await verifyPact(pact, { ...real, url: proxy.url });
      expect(record.passed).toBe(false);
      expect(record.failures.join('\n')).toMatch(variant.named);
    } finally {
      await proxy.stop();
      await real.stop();
    }
  });
});
