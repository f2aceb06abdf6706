import type { ApiError, ApiErrorCode } from '../../shared/errors';

/**
 * The typed fetch wrapper every page uses. Same-origin JSON only; mutations carry the session's
 * CSRF token; any error answer becomes an ApiFailure with the server's message and field errors.
 * It imports no zod at run time, so the first page a visitor loads stays small.
 */

export type FieldProblem = { path: string; message: string };

/** An error answer from the API (or no answer at all: code 'network'). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | 'network',
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Fired when an answer says the session changed under us (expired, CSRF stale, 2FA owed). */
export const SESSION_STALE_EVENT = 'upstander:session-stale';
const STALE_CODES = new Set<string>([
  'unauthenticated',
  'second_factor_required',
  'two_factor_enrolment_required',
  'csrf_failed',
]);

let csrfToken: string | null = null;

/** The session context calls this whenever it learns the session's token (after sign-in/out too). */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(
      0,
      'network',
      'We could not reach Upstander. Check your connection and try again; nothing you typed was lost.',
    );
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) throw toFailure(response.status, data, path);
  return data as T;
}

function toFailure(status: number, data: unknown, path: string): ApiFailure {
  const error = (data as Partial<ApiError> | undefined)?.error;
  if (error && typeof error.message === 'string' && typeof error.code === 'string') {
    const fields = Array.isArray(error.fields)
      ? error.fields.filter(
          (f): f is FieldProblem => typeof f?.path === 'string' && typeof f?.message === 'string',
        )
      : [];
    if (STALE_CODES.has(error.code) && path !== '/api/session' && !path.startsWith('/api/auth/')) {
      window.dispatchEvent(new Event(SESSION_STALE_EVENT));
    }
    return new ApiFailure(status, error.code, error.message, fields);
  }
  if (status === 404) return new ApiFailure(status, 'not_found', 'There is nothing at this address.');
  return new ApiFailure(
    status,
    'internal',
    'Something went wrong on our side. Nothing you typed was lost; please try again.',
  );
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T = void>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T = void>(path: string, body?: unknown) => request<T>('PUT', path, body),
  patch: <T = void>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};

/** Encodes one path segment (a slug, an id or a token) for a URL. */
export const seg = (value: string) => encodeURIComponent(value);
