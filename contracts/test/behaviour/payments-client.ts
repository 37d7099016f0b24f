import { randomUUID } from 'node:crypto';
import type { TestResponse } from '@strangler/kit/testing';
import { authApiOf, type RunningSide } from './sides';

export type Json = Record<string, any>;

/** What the payments suite does as a client of one running side (read lazily: it starts in beforeAll). */
export function paymentsClient(side: () => RunningSide) {
  const api = () => side().api;
  const authApi = () => authApiOf(side());

  async function newUser(): Promise<string> {
    const res = await authApi().post('/api/auth/register', {
      email: `payer-${randomUUID()}@example.com`,
      password: 'correct horse battery',
      name: 'Payer',
    });
    expect(res.status).toBe(201);
    return res.body.token as string;
  }

  /** POST /api/payments with a fresh Idempotency-Key unless one is given (`null`: none at all). */
  const create = (token: string | undefined, body: unknown, key: string | null = randomUUID()) =>
    api().post('/api/payments', body, { ...(token ? { token } : {}), headers: key === null ? {} : { 'idempotency-key': key } });
  const post = (token: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    api().post(path, body, { token, headers });
  const get = (token: string, path: string) => api().get(path, { token });

  async function authorized(token: string, amount = '10.00', currency = 'USD'): Promise<Json> {
    const res = await create(token, { amount, currency });
    expect(res.status).toBe(201);
    return res.body.payment;
  }

  async function captured(token: string, amount = '10.00', currency = 'USD'): Promise<Json> {
    const payment = await authorized(token, amount, currency);
    const res = await post(token, `/api/payments/${payment.id}/capture`);
    expect(res.status).toBe(200);
    return res.body.payment;
  }

  async function readPayment(token: string, id: string): Promise<Json> {
    const res = await get(token, `/api/payments/${id}`);
    expect(res.status).toBe(200);
    return res.body.payment;
  }

  async function paymentCount(token: string): Promise<number> {
    const res = await get(token, '/api/payments?limit=100');
    expect(res.status).toBe(200);
    return res.body.payments.length as number;
  }

  return { api, authApi, newUser, create, post, get, authorized, captured, readPayment, paymentCount };
}

export function expectProblem(res: TestResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

/** The stable URN clients may switch on, spelled out here rather than taken from the kit. */
const problemType = (code: string) => `urn:strangler:problem:${code.toLowerCase().replaceAll('_', '-')}`;

/** The whole problem document, every field a client could switch on; requestId is the one echoed. */
export function expectExactProblem(
  res: TestResponse,
  problem: { status: number; code: string; title: string; detail: string; [extension: string]: unknown },
): void {
  expectProblem(res, problem.status, problem.code);
  expect(res.body).toEqual({ ...problem, type: problemType(problem.code), requestId: res.headers.get('x-request-id') });
}

export function expectInvalidField(res: TestResponse, field: string): void {
  expectProblem(res, 400, 'VALIDATION_FAILED');
  expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
}

/** A 400 VALIDATION_FAILED naming exactly these problems, in this order. */
export function expectValidationErrors(res: TestResponse, errors: Array<{ field: string; message: string }>): void {
  expectExactProblem(res, {
    status: 400,
    code: 'VALIDATION_FAILED',
    title: 'Request validation failed',
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}
