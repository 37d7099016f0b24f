import { AppError } from '@strangler/kit';

export const paymentsClientErrors = {
  unavailable: (detail: string) =>
    new AppError(
      'PAYMENTS_UNAVAILABLE',
      503,
      'Payments unavailable',
      `The payments service could not be reached (${detail}); retry the checkout, it will not charge twice.`,
      { retryable: true },
    ),
  unexpectedResponse: (status: number) =>
    new AppError('PAYMENTS_BAD_RESPONSE', 502, 'Bad response from payments', `The payments service answered ${status} unexpectedly.`, {
      retryable: true,
    }),
};
