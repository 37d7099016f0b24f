/**
 * The payments API module: the payments code both sides run during the migration (docs/decisions/0008): the
 * public API and its rules, once. Each side brings its storage (PaymentsStorage) and its
 * `authenticate` middleware.
 */
export { paymentRoutes } from './payment-routes';
export { describePaymentsApi } from './payment-openapi';
export { createPaymentUseCases, type PaymentUseCases, type PaymentUseCaseDeps, type PaymentPage } from './payment-use-cases';
export { type IdempotencyScope, type RecordedResponse } from './respond-idempotently';
export { requestFingerprints } from './request-fingerprint';
export { type PaymentJson } from './payment-json';
export { PAYMENT_STATUSES, type Payment, type PaymentStatus, type Refund } from './payment';
export type {
  PaymentsStorage,
  PaymentsTransaction,
  PaymentRepository,
  IdempotencyRepository,
  IdempotencyRecord,
} from './payments-storage';
export { knexPaymentsStorage, type KnexRepositories } from './knex-payments-storage';
export { SqlPaymentRepository, type PaymentEncoding, type SharedPaymentColumns } from './sql-payment-repository';
export { SqlIdempotencyRepository, type IdempotencyColumns } from './sql-idempotency-repository';
