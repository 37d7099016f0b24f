/**
 * The one error type the HTTP layer renders. `code` is stable and part of the public contract:
 * never reuse a retired code for a different meaning.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(detail ?? title, options);
    this.name = 'AppError';
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export const validationError = (errors: FieldProblem[]): AppError =>
  new AppError(
    'VALIDATION_FAILED',
    400,
    'Request validation failed',
    errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    { errors },
  );

export const notFound = (code: string, what: string): AppError =>
  new AppError(code, 404, `${what} not found`, `The ${what.toLowerCase()} does not exist or is not yours.`);
