export { createApiClient, type ApiClient } from './api-client/api-client';
export { HttpTransport, type ApiClientOptions, type ApiRequest, type TokenSource } from './api-client/http-transport';
export { ProblemError, UnexpectedResponseError, asProblem, type Problem, type FieldProblem } from './api-client/problem-error';
export type { AuthApi, LoginInput, RegisterInput } from './api-client/auth-api';
export type { PaymentsApi, CreatePaymentInput, Idempotent, PaymentPage } from './api-client/payments-api';
export type { OrdersApi, CreateOrderInput, OrderItemInput, OrderPage } from './api-client/orders-api';
export type * from './api-client/types';
