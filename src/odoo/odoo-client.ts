/**
 * The one calling convention the connector speaks, whatever the transport: named parameters, with
 * `ids` for record methods and an optional `context`. That is JSON-2's shape (named parameters
 * only); the JSON-RPC client turns it into `execute_kw` positional args and kwargs.
 */
export type OdooDomainLeaf = readonly [field: string, operator: string, value: unknown];
export type OdooDomainTerm = OdooDomainLeaf | '&' | '|' | '!';
export type OdooDomain = readonly OdooDomainTerm[];

export interface OdooCallParams {
  /** Record ids for record methods (`write`, `action_confirm`, `message_post`, …). */
  readonly ids?: readonly number[];
  readonly context?: Readonly<Record<string, unknown>>;
  readonly [parameter: string]: unknown;
}

export type OdooProtocol = 'jsonrpc' | 'json2';

export interface OdooClient {
  readonly protocol: OdooProtocol;
  readonly database: string;
  /** The per-call timeout, when the client has one: how long before a call is given up as unanswered. */
  readonly timeoutMs?: number;
  /**
   * Calls `model.method` and resolves with Odoo's result as parsed JSON; rejects with an OdooError.
   * The caller states the expected result type: this is the adapter boundary to an untyped server.
   */
  call<T = unknown>(model: string, method: string, params?: OdooCallParams): Promise<T>;
  /** Closes the keep-alive sockets. */
  close(): Promise<void>;
}

export interface OdooClientOptions {
  /** Calls in flight at once on this connection; the rest wait (protects the tenant's Odoo). */
  readonly maxConcurrency?: number;
  /** Per-call timeout, overriding the connection's `timeoutMs`. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

export const DEFAULT_ODOO_TIMEOUT_MS = 30_000;
export const DEFAULT_ODOO_CONCURRENCY = 4;
