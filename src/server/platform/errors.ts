import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import type { ApiError, ApiErrorCode } from '../../shared/errors';

const STATUS: Record<ApiErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  second_factor_required: 401,
  two_factor_enrolment_required: 403,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  busy: 503,
};

/** An error the client is meant to see, with a human message. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly fields?: { path: string; message: string }[],
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const notFound = (what = 'That record') => new AppError('not_found', `${what} was not found.`);
export const forbidden = (message = 'You are not allowed to do that.') => new AppError('forbidden', message);
export const conflict = (message: string, fields?: { path: string; message: string }[]) =>
  new AppError('conflict', message, fields);
export const invalid = (message: string, fields?: { path: string; message: string }[]) =>
  new AppError('validation_failed', message, fields);

export function zodToAppError(error: ZodError, where: 'body' | 'query' | 'params'): AppError {
  const fields = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || where,
    message: issue.message,
  }));
  const first = fields[0];
  const message = first
    ? `Please check ${first.path === where ? `the ${where}` : `“${first.path}”`}: ${first.message}`
    : 'Invalid input.';
  return new AppError('validation_failed', message, fields);
}

function toBody(error: AppError): ApiError {
  return {
    error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) },
  };
}

/** The SQLSTATE of a database error, also when the query layer wrapped it (Drizzle: `cause`). */
function postgresCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : e.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps every error to the shared shape. Anything unexpected is a 500 with no internals shown. */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  let appError: AppError;
  if (error instanceof AppError) appError = error;
  else if (error instanceof ZodError) appError = zodToAppError(error, 'body');
  else {
    const fe = error as FastifyError;
    const status = fe.statusCode ?? 500;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      appError = new AppError('payload_too_large', 'That request is too large.');
    } else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      appError = new AppError('unsupported_media_type', 'Send JSON (Content-Type: application/json).');
    } else if (status === 429) {
      appError = new AppError('rate_limited', 'Too many attempts. Please wait a minute and try again.');
    } else if (postgresCode(error) === '57014') {
      // PostgreSQL cancelled a query at STATEMENT_TIMEOUT_MS: the server is overloaded, not broken.
      request.log.warn('query cancelled by the statement timeout');
      reply.header('retry-after', '5');
      appError = new AppError(
        'busy',
        'The server is too busy to answer just now. Nothing you sent was saved; please try again in a moment.',
      );
    } else if (status >= 400 && status < 500) {
      appError = new AppError('validation_failed', fe.message || 'The request could not be read.');
    } else {
      request.log.error({ err: error }, 'unhandled error');
      appError = new AppError(
        'internal',
        'Something went wrong on our side. Nothing you sent was lost; please try again.',
      );
    }
  }
  reply.status(appError.status).type('application/json').send(toBody(appError));
}
