/**
 * Odoo 16–18 external API over `/jsonrpc` (`common.authenticate` once, then `object.execute_kw` with
 * the uid and the API key in place of the password, per ODOO.md). Deprecated in 19.0; the JSON-2
 * client replaces it behind the same OdooClient interface.
 */
import type { OdooConnection } from '../tenancy/tenant-definition.js';
import type { OdooCallParams, OdooClient, OdooClientOptions } from './odoo-client.js';
import { OdooError, odooErrorFromException } from './odoo-errors.js';
import { destroyAgents, isRecord, parseJsonBody, postJsonHonouringRateLimits } from './odoo-http-post.js';
import { createTransportResources, type OdooTransportResources } from './odoo-transport-resources.js';

/**
 * Methods whose first argument travels positionally. `create` must get `vals_list` that way: Odoo's
 * `_call_kw_model_create` reads `args[0]` to pick the return shape and fails with an IndexError
 * when the list arrives as a keyword. `search` and `search_count` named their domain `args` until
 * 16.0 and `domain` since 17.0, so only a positional domain works on both.
 */
const POSITIONAL_FIRST: Readonly<Record<string, string>> = {
  create: 'vals_list',
  search: 'domain',
  search_count: 'domain',
};

export class OdooJsonRpcClient implements OdooClient {
  readonly protocol = 'jsonrpc' as const;
  readonly database: string;
  readonly timeoutMs: number;
  private readonly endpoint: URL;
  private readonly resources: OdooTransportResources;
  private uid: Promise<number> | undefined;
  private nextId = 1;

  constructor(
    private readonly connection: OdooConnection,
    options: OdooClientOptions = {},
  ) {
    this.database = connection.database;
    this.endpoint = new URL('/jsonrpc', connection.url);
    this.resources = createTransportResources(connection, options);
    this.timeoutMs = this.resources.timeoutMs;
  }

  call<T = unknown>(model: string, method: string, params: OdooCallParams = {}): Promise<T> {
    return this.resources.limiter.run(() => this.executeKw<T>(model, method, params, true));
  }

  /** `common.version()`: needs no credentials, useful as a reachability probe. */
  version(): Promise<Record<string, unknown>> {
    return this.resources.limiter.run(async () => {
      const result = await this.rpc('common', 'version', []);
      return isRecord(result) ? result : {};
    });
  }

  /** The uid for the connection's login; authenticates on first use and after a session expiry. */
  authenticate(): Promise<number> {
    if (!this.uid) {
      this.uid = this.login().catch((error: unknown) => {
        // A failed login is not cached: the next call tries again (the key may have been fixed).
        this.uid = undefined;
        throw error;
      });
    }
    return this.uid;
  }

  async close(): Promise<void> {
    destroyAgents(this.resources.agents);
  }

  private async login(): Promise<number> {
    const { database, login, apiKey } = this.connection;
    const uid = await this.rpc('common', 'authenticate', [database, login, apiKey, {}]);
    // Odoo answers `false` (not an exception) to a bad login or key.
    if (typeof uid !== 'number' || uid <= 0) {
      throw new OdooError('authentication', `Odoo refused login "${login}" on database "${database}"`, {
        odooName: 'odoo.exceptions.AccessDenied',
      });
    }
    return uid;
  }

  private async executeKw<T>(
    model: string,
    method: string,
    params: OdooCallParams,
    mayReauthenticate: boolean,
  ): Promise<T> {
    const uid = await this.authenticate();
    const { ids, ...named } = params;
    const args: unknown[] = [];
    const kwargs: Record<string, unknown> = { ...named };
    if (ids !== undefined) args.push(ids);
    const positional = POSITIONAL_FIRST[method];
    if (positional !== undefined && positional in kwargs) {
      args.push(kwargs[positional]);
      delete kwargs[positional];
    }
    try {
      const result = await this.rpc(
        'object',
        'execute_kw',
        [this.connection.database, uid, this.connection.apiKey, model, method, args, kwargs],
        { model, method },
      );
      return result as T;
    } catch (error) {
      if (mayReauthenticate && error instanceof OdooError && error.sessionExpired) {
        this.uid = undefined;
        return this.executeKw<T>(model, method, params, false);
      }
      throw error;
    }
  }

  private async rpc(
    service: string,
    method: string,
    args: unknown[],
    what: { model?: string; method?: string } = {},
  ): Promise<unknown> {
    const id = this.nextId++;
    const envelope = { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id };
    const response = await postJsonHonouringRateLimits(
      this.endpoint,
      envelope,
      { 'User-Agent': this.resources.userAgent },
      this.resources.agents,
      this.resources.timeoutMs,
      what,
    );
    const body = parseJsonBody(response.text);
    if (response.status !== 200 || !isRecord(body)) {
      // Not a JSON-RPC answer at all: a proxy error page, a 502, a restart in progress.
      throw odooErrorFromException(
        {},
        {
          ...what,
          httpStatus: response.status,
          fallbackMessage: `Odoo answered HTTP ${response.status} to ${service}.${method}`,
        },
      );
    }
    const error = body['error'];
    if (isRecord(error)) {
      const data = isRecord(error['data']) ? error['data'] : {};
      const code = typeof error['code'] === 'number' ? error['code'] : undefined;
      const fallbackMessage = typeof error['message'] === 'string' ? error['message'] : undefined;
      throw odooErrorFromException(data, {
        ...what,
        ...(code !== undefined ? { jsonRpcCode: code } : {}),
        ...(fallbackMessage !== undefined ? { fallbackMessage } : {}),
        // Some proxies and old releases flag expiry by code only, without data.name.
        ...(code === 100 && data['name'] === undefined ? { fallbackMessage: 'Odoo Session Expired' } : {}),
      });
    }
    return body['result'];
  }
}
