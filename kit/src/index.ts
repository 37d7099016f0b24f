export { loadConfig, ConfigError } from './config/load-config';
export { DEV_MODE_VARIABLE, holdsDevelopmentSecret } from './config/development-secrets';
export { baseConfigShape, peerSessionsShape, port, positiveMs, databaseUrl, logLevels, urlList, secret, booleanFlag } from './config/base-config';
export { AppError, validationError, notFound, type FieldProblem } from './errors/app-error';
export { httpErrors } from './errors/http-errors';
export { isDependencyUnavailable } from './errors/dependency-unavailable';
export { isWriteFenced, writeFenced, WRITE_FENCED } from './errors/write-fenced';
export { toProblem, problemType, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './errors/problem-details';
export { createLogger, REDACTED_PATHS, type Logger } from './logging/logger';
export { requestContext } from './logging/request-context';
export { createHttpApp, DEFAULT_BODY_LIMIT, type HttpAppOptions } from './http/create-http-app';
export { sendProblem, translateError } from './http/error-handler';
export {
  WRITE_DEADLINE_HEADER,
  WRITE_DEADLINE_PASSED,
  assertWriteDeadline,
  forwardedWriteDeadline,
  parseWriteDeadline,
  writeDeadlineMiddleware,
  writeDeadlinePassed,
} from './http/write-deadline';
export { writeTransaction } from './http/write-transaction';
export { REQUEST_ID_HEADER, acceptedRequestId, requestIdMiddleware } from './http/request-id';
export { createHttpMetrics, type HttpMetrics } from './metrics/http-metrics';
export { healthRoutes, type ReadinessCheck } from './health/health-routes';
export { listen, type RunningServer } from './lifecycle/http-server';
export { onShutdownSignal, type ShutdownStep } from './lifecycle/shutdown';
export { createDatabase, isUniqueViolation, isDeadlock, type Database } from './db/create-database';
export { describeDatabaseUrl, dialectOf, knexConfigFor, type Dialect } from './db/database-url';
export { toDate, toNullableDate } from './db/column-values';
export { toBigInt, toBigIntColumn } from './db/bigint-column';
export { CURRENCY_MINOR_DIGITS, SUPPORTED_CURRENCIES, isCurrency, minorDigits, type Currency } from './money/currencies';
export {
  parseDecimalAmount,
  formatMinorUnits,
  decimalColumnToMinor,
  minorToDecimalColumn,
  MAX_MAJOR_DIGITS,
  type DecimalParseResult,
} from './money/decimal-money';
export { parseInput } from './http/validate';
export { encodeCursor, decodeCursor, pageQuery, type PagePosition } from './http/page-cursor';
export { systemClock, type Clock } from './lifecycle/clock';
export * from './sessions';
export * from './openapi';
export { secretsEqual } from './security/secrets-equal';
