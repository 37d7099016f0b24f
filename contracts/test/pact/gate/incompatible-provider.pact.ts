import { readPacts } from '../support/pact-files';
import { verifyPact } from '../support/verify-pact';
import { startMonolithProvider } from '../providers/start-providers';
import { REMOVE, startJsonRewritingProxy, type MemberRewrite } from './json-rewriting-proxy';

/**
 * Proves the gate can fail: the pacts verified against deliberately incompatible variants of a
 * provider (the real monolith behind a proxy that breaks one field of every answer) must fail, with a
 * message naming the field. Not recorded in the matrix: these variants serve nobody.
 */
const variants: Array<{ breakage: string; consumer: string; provider: string; rewrite: MemberRewrite; named: RegExp }> = [
  {
    breakage: 'amount as a number instead of a decimal string',
    consumer: 'web-client',
    provider: 'payments',
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

  it.each(variants.map((variant) => [variant.breakage, variant] as const))('%s', async (_breakage, variant) => {
    const pact = pacts.find((candidate) => candidate.consumer === variant.consumer && candidate.provider === variant.provider);
    if (!pact) throw new Error(`no ${variant.consumer} → ${variant.provider} pact: did the consumer tests run first?`);
    const monolith = await startMonolithProvider();
    const proxy = await startJsonRewritingProxy(monolith.url, variant.rewrite);
    try {
      const record = await verifyPact(pact, { ...monolith, url: proxy.url });
      expect(record.passed).toBe(false);
      expect(record.failures.join('\n')).toMatch(variant.named);
    } finally {
      await proxy.stop();
      await monolith.stop();
    }
  });
});
