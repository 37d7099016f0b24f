import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, forwardedWriteDeadline, formatMinorUnits, WRITE_DEADLINE_PASSED, writeDeadlinePassed, type Currency, type Logger } from '@strangler/kit';
import type { ChargedPayment, OrderCharge, PaymentsPort } from '../payments/payments-port';
import { paymentsClientErrors } from './payments-service-errors';

export interface HttpPaymentsPortOptions {
  baseUrl: string;
  /** Per attempt: connect and full response. */
  timeoutMs: number;
  /** Further attempts after the first, for failures where the request may not have been served. */
  retries: number;
  logger: Logger;
  /** Backoff before attempt n (1-based); injectable so tests need not wait. */
  backoffMs?: (attempt: number) => number;
}

interface PaymentBody {
  id: string;
  status: string;
  amount: string;
  currency: Currency;
  capturedAmount: string;
}

interface ProblemBody {
  code?: string;
  title?: string;
  detail?: string;
  status?: number;
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);

function problemCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as ProblemBody).code;
  } catch {
    return undefined;
  }
}

/**
 * PaymentsPort over HTTP: the monolith as a client of the extracted payments service. Both calls
 * carry an Idempotency-Key derived from the order, and only those calls are ever retried, so a
 * timeout or a lost response can never charge twice.
 */
export function httpPaymentsPort(options: HttpPaymentsPortOptions): PaymentsPort {
  const backoff = options.backoffMs ?? ((attempt) => 100 * 2 ** (attempt - 1));

  async function call(method: string, path: string, token: string, idempotencyKey: string | undefined, body?: unknown) {
    let lastFailure = 'no attempt made';
    for (let attempt = 0; attempt <= options.retries; attempt += 1) {
      if (attempt > 0) await sleep(backoff(attempt));
      try {
        const response = await fetch(`${options.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
            // The edge's deadline on the checkout goes with its payment: the service refuses it late too (decision 0038).
            ...forwardedWriteDeadline(),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const text = await response.text();
        // Not retried: every attempt from now on is past the same deadline.
        if (response.status === 503 && problemCode(text) === WRITE_DEADLINE_PASSED) throw writeDeadlinePassed();
        // A request without an idempotency key is a read here; both kinds are safe to repeat.
        if (RETRYABLE_STATUSES.has(response.status)) {
          lastFailure = `HTTP ${response.status}`;
          options.logger.warn({ path, status: response.status, attempt }, 'payments service failed, retrying');
          continue;
        }
        return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
      } catch (error) {
        if (error instanceof AppError) throw error;
        lastFailure = (error as Error).name === 'TimeoutError' ? `timed out after ${options.timeoutMs} ms` : 'connection failed';
        options.logger.warn({ path, attempt, err: error }, 'payments service unreachable, retrying');
      }
    }
    throw paymentsClientErrors.unavailable(lastFailure);
  }

  /** The service's own problem, passed through unchanged so clients see what the in-process module says. */
  function rethrow(status: number, body: unknown): never {
    const problem = (body ?? {}) as ProblemBody;
    if (status >= 400 && status < 500 && problem.code && problem.title) {
      throw new AppError(problem.code, status, problem.title, problem.detail);
    }
    throw paymentsClientErrors.unexpectedResponse(status);
  }

  return {
    async chargeOrder(charge: OrderCharge): Promise<ChargedPayment> {
      const created = await call('POST', '/api/payments', charge.bearerToken, charge.idempotencyKey, {
        amount: formatMinorUnits(charge.amountMinor, charge.currency),
        currency: charge.currency,
        description: charge.description,
        orderId: charge.orderId,
      });
      if (created.status !== 201) rethrow(created.status, created.body);
      const payment = (created.body as { payment: PaymentBody }).payment;
      const captureKey = `${charge.idempotencyKey}:capture`;
      const captured = await call('POST', `/api/payments/${payment.id}/capture`, charge.bearerToken, captureKey);
      let final: PaymentBody;
      if (captured.status === 200) {
        final = (captured.body as { payment: PaymentBody }).payment;
      } else if (captured.status === 409) {
        // Captured some other way since: that is the charge we wanted; anything else is a real conflict.
        const current = await call('GET', `/api/payments/${payment.id}`, charge.bearerToken, undefined);
        if (current.status !== 200) rethrow(current.status, current.body);
        final = (current.body as { payment: PaymentBody }).payment;
        if (final.capturedAmount !== final.amount) rethrow(captured.status, captured.body);
      } else {
        rethrow(captured.status, captured.body);
      }
      return { id: final.id, status: final.status, amount: final.amount, currency: final.currency };
    },
  };
}
