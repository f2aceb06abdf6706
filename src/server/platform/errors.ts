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

// ---- logging errors without the values in them --------------------------------------------------

/** Fields of a PostgreSQL error (pg and PGlite) that name things, never values. */
const DATABASE_NAME_FIELDS = ['constraint', 'table', 'column', 'schema', 'dataType', 'routine'] as const;

type DatabaseErrorLike = Error & Partial<Record<(typeof DATABASE_NAME_FIELDS)[number] | 'code', unknown>>;

function isDatabaseError(error: unknown): error is DatabaseErrorLike {
  const e = error as { code?: unknown; severity?: unknown; name?: unknown };
  return (
    error instanceof Error &&
    ((typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && 'severity' in error) ||
      e.name === 'DatabaseError' ||
      error.constructor.name === 'DrizzleQueryError')
  );
}

/** The error and its causes, outermost first (bounded: a cause cycle must not hang the logger). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 5 && !chain.includes(e); e = (e as { cause?: unknown }).cause)
    chain.push(e);
  return chain;
}

/** Only the "    at …" frames: the first lines of a stack repeat the message, values and all. */
function framesOnly(stack: unknown): string {
  if (typeof stack !== 'string') return '';
  return stack
    .split('\n')
    .filter((line) => /^\s+at \S.*:\d+:\d+\)?$/.test(line))
    .join('\n');
}

/** Scrubs a bare message string: a query's parameters, quoted values and key details go. */
function scrubMessage(message: string): string {
  return message
    .replace(/\bparams:[\s\S]*$/, 'params: [redacted]')
    .replace(/\bKey \([^)]*\)=\([\s\S]*?\)(?= |$)/g, 'Key [redacted]')
    .replace(/"[^"]*"|'[^']*'/g, '"[redacted]"');
}

/**
 * The log serializer for `err`. A database error's text can carry the values of its query (an
 * e-mail address, a password hash, a sealed column): the driver's message and detail quote them
 * and the query layer's message lists every parameter. So a database error, or any error caused by
 * one, is logged as its class, SQLSTATE, the names of the constraint/table/column and the stack
 * frames, never a message. Other errors keep their message; a bare string is scrubbed.
 */
export type LoggedError = { type: string; message: string; stack: string; [field: string]: unknown };

export function serializeErrorForLog(error: unknown): LoggedError {
  if (!(error instanceof Error)) {
    return { type: typeof error, message: scrubMessage(String(error)), stack: '' };
  }
  const chain = causeChain(error);
  const database = chain.find(isDatabaseError);
  if (!database) {
    return {
      type: error.constructor.name,
      message: scrubMessage(error.message),
      stack: framesOnly(error.stack),
      ...(typeof (error as Error & { code?: unknown }).code === 'string'
        ? { code: (error as Error & { code: string }).code }
        : {}),
    };
  }
  const withCode = chain.find((e) => isDatabaseError(e) && typeof e.code === 'string') as
    | DatabaseErrorLike
    | undefined;
  const names: Record<string, string> = {};
  for (const field of DATABASE_NAME_FIELDS) {
    const value = withCode?.[field];
    if (typeof value === 'string' && value) names[field] = value;
  }
  return {
    type: chain.map((e) => (e as Error).constructor?.name ?? typeof e).join(' ← '),
    message: 'database error (message withheld: it can quote the values of the query)',
    ...(typeof withCode?.code === 'string' ? { code: withCode.code } : {}),
    ...names,
    stack: framesOnly(error.stack),
  };
}
