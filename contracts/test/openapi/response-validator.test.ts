import { openApiDocument } from '@strangler/kit';
import { describePaymentsApi } from '@strangler/payments-api';
import { ResponseValidator, type ObservedResponse } from './response-validator';

/** The checks the behavioural suites rely on can fail: answers the payments document does not allow. */
describe('ResponseValidator', () => {
  const validator = new ResponseValidator(openApiDocument({ title: 'a', version: '1' }, [describePaymentsApi]));
  const payment = {
    id: '0b6a4a8e-1c1f-4d2b-9c55-0a8d4f3e2b11',
    amount: '10.00',
    currency: 'USD',
    status: 'authorized',
    description: null,
    orderId: null,
    capturedAmount: '0.00',
    refundedAmount: '0.00',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
  };
  const answer = (overrides: Partial<ObservedResponse> & { body?: unknown }): ObservedResponse => ({
    method: 'GET',
    path: `/api/payments/${payment.id}`,
    status: 200,
    contentType: 'application/json; charset=utf-8',
    text: JSON.stringify(overrides.body ?? { payment }),
    ...overrides,
  });
  const problem = { type: 'urn:strangler:problem:payment-not-found', title: 'Payment not found', status: 404, code: 'PAYMENT_NOT_FOUND', requestId: 'r' };

  it('accepts what the document allows', () => {
    expect(validator.problems(answer({}))).toEqual([]);
    expect(validator.problems(answer({ path: '/api/payments?limit=1', body: { payments: [payment], nextCursor: null } }))).toEqual([]);
    expect(validator.problems(answer({ status: 404, contentType: 'application/problem+json', body: problem }))).toEqual([]);
    expect(validator.problems(answer({ path: '/api/nothing', status: 404, contentType: 'application/problem+json', body: problem }))).toEqual([]);
  });

  it.each<[string, Partial<ObservedResponse> & { body?: unknown }]>([
    ['a field the schema does not have', { body: { payment: { ...payment, fee: '0.10' } } }],
    ['a field missing', { body: { payment: { ...payment, capturedAmount: undefined } } }],
    ['money as a number', { body: { payment: { ...payment, amount: 10 } } }],
    ['a status not in the enum', { body: { payment: { ...payment, status: 'pending' } } }],
    ['a timestamp that is not one', { body: { payment: { ...payment, createdAt: 'yesterday' } } }],
    ['an undocumented status code', { status: 418 }],
    ['an undocumented content type', { contentType: 'text/html' }],
    ['a problem as plain JSON', { status: 404, body: problem }],
    ['a problem without a code', { status: 404, contentType: 'application/problem+json', body: { ...problem, code: undefined } }],
    ['a body that is not JSON', { text: '<html>' }],
    ['an undocumented route answering 200', { path: '/api/nothing' }],
  ])('refuses %s', (_name, overrides) => {
    expect(validator.problems(answer(overrides)).length).toBeGreaterThan(0);
  });
});
