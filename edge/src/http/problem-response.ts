import type { ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE, toProblem, type AppError } from '@strangler/kit';

/** kit's problem+json rendering, for a plain node response (the proxy path does not go through express). */
export function writeProblem(res: ServerResponse, error: AppError, requestId: string): void {
  const body = JSON.stringify(toProblem(error, requestId));
  res.statusCode = error.status;
  res.setHeader('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
