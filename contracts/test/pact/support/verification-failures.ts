/** The verifier's JSON report (pact-core's pactffi_verifier_json), as far as we read it. */
interface VerifierReport {
  result?: boolean;
  errors?: Array<{
    interaction?: string;
    mismatch?: {
      type?: string;
      message?: string;
      mismatches?: Array<{ mismatch?: string; path?: string; key?: string; type?: string }>;
    };
  }>;
}

const PREFIX = /^Verifying a pact between \S+ and \S+ /;

/**
 * One line per mismatch: the interaction (state and description), then the verifier's own words,
 * which name the field (`$.payment.amount`) or header. pact-js rejects a failed verification with
 * the JSON report as the error message; anything else (a crash, bad arguments) is kept as is.
 */
export function verificationFailures(error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  let report: VerifierReport;
  try {
    report = JSON.parse(message) as VerifierReport;
  } catch {
    return [message];
  }
  const lines: string[] = [];
  for (const failure of report.errors ?? []) {
    const interaction = (failure.interaction ?? 'an interaction').replace(PREFIX, '');
    const mismatches = failure.mismatch?.mismatches ?? [];
    if (mismatches.length === 0) lines.push(`${interaction}: ${failure.mismatch?.message ?? failure.mismatch?.type ?? 'failed'}`);
    for (const mismatch of mismatches) {
      const where = mismatch.path ?? (mismatch.key ? `header ${mismatch.key}` : undefined);
      lines.push(`${interaction}: ${where ? `${where} -> ` : ''}${mismatch.mismatch ?? mismatch.type ?? 'mismatch'}`);
    }
  }
  return lines.length > 0 ? lines : [message];
}
