import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { OpenApiDocument } from '@strangler/kit';
import { monolithApiDocument } from '@strangler/monolith';
import { authServiceApiDocument } from '@strangler/auth-service';
import { paymentsServiceApiDocument } from '@strangler/payments-service';
import { RESULTS_DIR } from '../support/pact-files';
import { pactsServedBy } from '../support/provider-implementations';
import type { Implementation } from '../support/provider-under-test';

/**
 * Before any provider runs: every consumer contract must be one the providers' OpenAPI documents
 * allow (requests, answers, headers), checked by @pactflow/swagger-mock-validator against the
 * document of each implementation that serves the provider. Its warnings fail too: a header or
 * status a client relies on and the document does not mention is a gap in the document.
 *
 * The validator is ESM-only, which Jest's CommonJS runtime cannot load, so it runs as its CLI.
 */
const DOCUMENTS: Record<Implementation, () => OpenApiDocument> = {
  monolith: monolithApiDocument,
  'monolith-payments-over-http': monolithApiDocument,
  'auth-service': authServiceApiDocument,
  'payments-service': paymentsServiceApiDocument,
};
const VALIDATOR = path.join(path.dirname(require.resolve('@pactflow/swagger-mock-validator')), '..', 'bin', 'swagger-mock-validator.mjs');
const SPEC_DIR = path.join(RESULTS_DIR, 'openapi');

function specFile(implementation: Implementation): string {
  const document = DOCUMENTS[implementation];
  mkdirSync(SPEC_DIR, { recursive: true });
  const file = path.join(SPEC_DIR, `${implementation}.json`);
  writeFileSync(file, JSON.stringify(document()));
  return file;
}

async function validate(spec: string, pact: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [VALIDATOR, spec, pact], { maxBuffer: 10 * 1024 * 1024 });
    return { ok: /^0 warning\(s\)$/m.test(stdout), output: stdout };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const cells = (Object.keys(DOCUMENTS) as Implementation[]).flatMap((implementation) => pactsServedBy(implementation).map((pact) => ({ pact, implementation })));

describe('consumer contracts against the OpenAPI documents', () => {
  it('has pacts to check', () => {
    expect(cells.length).toBeGreaterThan(0);
  });

  it.each(cells.map((cell) => [`${cell.pact.consumer} → ${cell.pact.provider}`, cell.implementation, cell.pact.file] as const))(
    '%s is allowed by the document of %s',
    async (_name, implementation, file) => {
      const result = await validate(specFile(implementation), file);
      if (!result.ok) throw new Error(`${path.basename(file)} is not allowed by ${implementation}'s OpenAPI document:\n${result.output}`);
    },
  );

  it('refuses a contract the document does not allow (a field it lacks, money as a number)', async () => {
    const source = cells.find((cell) => cell.pact.provider === 'payments');
    if (!source) throw new Error('no payments pact');
    const pact = JSON.parse(readFileSync(source.pact.file, 'utf8')) as { interactions: Array<{ response: { body?: { payment?: Record<string, unknown> } } }> };
    const answer = pact.interactions.find((interaction) => interaction.response.body?.payment)?.response.body?.payment;
    if (!answer) throw new Error('no interaction answers a payment');
    answer.amount = 10;
    answer.fee = '0.10';
    const broken = path.join(SPEC_DIR, 'broken-payments-pact.json');
    writeFileSync(broken, JSON.stringify(pact));
    const result = await validate(specFile('payments-service'), broken);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/additional properties - fee/);
    expect(result.output).toMatch(/must be string/);
  });
});
