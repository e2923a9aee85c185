/**
 * The Python exceptions the simulator raises, with the class name Odoo serializes into
 * `error.data.name` (JSON-RPC) or the body `name` (JSON-2), and the HTTP status JSON-2 gives them.
 */
export class SimOdooException extends Error {
  constructor(
    readonly odooName: string,
    message: string,
    /** Status under JSON-2; JSON-RPC always answers HTTP 200. */
    readonly httpStatus: number,
    /** JSON-RPC error code: 100 session expired, 404 not found, otherwise the server-error code. */
    readonly jsonRpcCode?: number,
  ) {
    super(message);
  }
}

// http_status values as Odoo's exception classes declare them (UserError and subclasses 422,
// AccessDenied/AccessError 403, MissingError 404); anything else is a 500.
export const validationError = (message: string): SimOdooException =>
  new SimOdooException('odoo.exceptions.ValidationError', message, 422);
export const userError = (message: string): SimOdooException =>
  new SimOdooException('odoo.exceptions.UserError', message, 422);
export const missingError = (message: string): SimOdooException =>
  new SimOdooException('odoo.exceptions.MissingError', message, 404);
export const accessDenied = (message = 'Access Denied'): SimOdooException =>
  new SimOdooException('odoo.exceptions.AccessDenied', message, 403);
export const accessError = (message: string): SimOdooException =>
  new SimOdooException('odoo.exceptions.AccessError', message, 403);
export const sessionExpired = (): SimOdooException =>
  new SimOdooException('odoo.http.SessionExpiredException', 'Session expired', 403, 100);
export const valueError = (message: string): SimOdooException =>
  new SimOdooException('builtins.ValueError', message, 500);
export const typeError = (message: string): SimOdooException =>
  new SimOdooException('builtins.TypeError', message, 500);
export const indexError = (message: string): SimOdooException =>
  new SimOdooException('builtins.IndexError', message, 500);
export const notFound = (message: string): SimOdooException =>
  new SimOdooException('werkzeug.exceptions.NotFound', message, 404, 404);
export const unprocessable = (message: string): SimOdooException =>
  new SimOdooException('werkzeug.exceptions.UnprocessableEntity', message, 422);
export const unauthorized = (message = 'Invalid apikey'): SimOdooException =>
  new SimOdooException('werkzeug.exceptions.Unauthorized', message, 401);
