/**
 * How a failed Odoo call is handled by the pipeline. Odoo names the Python exception class in
 * `error.data.name` (JSON-RPC, HTTP 200) or in the body `name` (JSON-2, HTTP 4xx/5xx); ODOO.md says to
 * branch on that name, never on the JSON-RPC `code`.
 */
export type OdooErrorKind = 'retryable' | 'business' | 'authentication';

export interface OdooErrorDetails {
  /** The Python exception class, e.g. `odoo.exceptions.ValidationError`. */
  readonly odooName?: string;
  readonly httpStatus?: number;
  readonly jsonRpcCode?: number;
  readonly model?: string;
  readonly method?: string;
  /** What a 429 (or 503) asked for in Retry-After, in seconds. */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

export class OdooError extends Error {
  override readonly name = 'OdooError';
  readonly kind: OdooErrorKind;
  readonly odooName?: string;
  readonly httpStatus?: number;
  readonly jsonRpcCode?: number;
  readonly model?: string;
  readonly method?: string;
  readonly retryAfterSeconds?: number;

  constructor(kind: OdooErrorKind, message: string, details: OdooErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    if (details.odooName !== undefined) this.odooName = details.odooName;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.jsonRpcCode !== undefined) this.jsonRpcCode = details.jsonRpcCode;
    if (details.model !== undefined) this.model = details.model;
    if (details.method !== undefined) this.method = details.method;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** Session expiry is the one retryable error a client repairs by itself (re-authenticate, call again). */
  get sessionExpired(): boolean {
    return this.odooName === SESSION_EXPIRED || this.jsonRpcCode === 100;
  }
}

export const SESSION_EXPIRED = 'odoo.http.SessionExpiredException';

const AUTHENTICATION_NAMES = new Set([
  'odoo.exceptions.AccessDenied',
  'odoo.exceptions.AccessError',
  'werkzeug.exceptions.Unauthorized',
  'werkzeug.exceptions.Forbidden',
]);

const BUSINESS_NAMES = new Set([
  'odoo.exceptions.ValidationError',
  'odoo.exceptions.UserError',
  'odoo.exceptions.MissingError',
  'odoo.exceptions.RedirectWarning',
  // A model or method that does not exist, or arguments the method does not take: replaying the same
  // call cannot succeed until someone changes Odoo or the mapping.
  'werkzeug.exceptions.NotFound',
  'werkzeug.exceptions.BadRequest',
  'werkzeug.exceptions.UnprocessableEntity',
]);

/**
 * Classifies an Odoo exception by its class name, with the HTTP status as the tie-breaker for names
 * we do not know. `builtins.*` (ValueError for an unknown field, TypeError for a bad keyword) are
 * faults in the request itself, so a retry would fail the same way; everything else unknown
 * (psycopg2 serialization failures, MemoryError, proxies' 502s) is server trouble worth retrying.
 */
export function classifyOdooException(name: string | undefined, httpStatus?: number): OdooErrorKind {
  if (name !== undefined) {
    if (name === SESSION_EXPIRED) return 'retryable';
    if (AUTHENTICATION_NAMES.has(name)) return 'authentication';
    if (BUSINESS_NAMES.has(name)) return 'business';
    if (name.startsWith('builtins.')) return 'business';
    if (name.startsWith('psycopg2.')) return 'retryable';
  }
  if (httpStatus === undefined) return 'retryable';
  if (httpStatus === 401 || httpStatus === 403) return 'authentication';
  if (httpStatus >= 500 || httpStatus === 408 || httpStatus === 429) return 'retryable';
  if (httpStatus >= 400) return 'business';
  return 'retryable';
}

/** Builds the error from Odoo's serialized exception (`{name, message, arguments, …}`). */
export function odooErrorFromException(
  exception: { readonly name?: unknown; readonly message?: unknown },
  details: Omit<OdooErrorDetails, 'odooName'> & { readonly fallbackMessage?: string },
): OdooError {
  const odooName = typeof exception.name === 'string' ? exception.name : undefined;
  const text =
    typeof exception.message === 'string' && exception.message !== ''
      ? exception.message
      : (details.fallbackMessage ?? 'Odoo Server Error');
  const kind = classifyOdooException(odooName, details.httpStatus);
  const where = details.model ? ` (${details.model}.${details.method ?? '?'})` : '';
  return new OdooError(kind, `${text}${where}`, { ...details, ...(odooName ? { odooName } : {}) });
}
