/**
 * Odoo 19+ external API: `POST /json/2/<model>/<method>` with a bearer API key and named parameters
 * only. Each call is its own transaction on Odoo's side (ODOO.md), so the connector uses single
 * business methods (`action_confirm`, `message_post`) rather than chained writes.
 */
import type { OdooConnection } from '../tenancy/tenant-definition.js';
import type { OdooCallParams, OdooClient, OdooClientOptions } from './odoo-client.js';
import { OdooError, odooErrorFromException } from './odoo-errors.js';
import { destroyAgents, isRecord, parseJsonBody, postJsonHonouringRateLimits } from './odoo-http-post.js';
import { createTransportResources, type OdooTransportResources } from './odoo-transport-resources.js';

export class OdooJson2Client implements OdooClient {
  readonly protocol = 'json2' as const;
  readonly database: string;
  readonly timeoutMs: number;
  private readonly resources: OdooTransportResources;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(
    private readonly connection: OdooConnection,
    options: OdooClientOptions = {},
  ) {
    this.database = connection.database;
    this.resources = createTransportResources(connection, options);
    this.timeoutMs = this.resources.timeoutMs;
    this.headers = {
      Authorization: `bearer ${connection.apiKey}`,
      // Needed when one Odoo serves several databases and the host name does not pick one.
      'X-Odoo-Database': connection.database,
      'User-Agent': this.resources.userAgent,
    };
  }

  call<T = unknown>(model: string, method: string, params: OdooCallParams = {}): Promise<T> {
    return this.resources.limiter.run(() => this.post<T>(model, method, params, true));
  }

  async close(): Promise<void> {
    destroyAgents(this.resources.agents);
  }

  private async post<T>(
    model: string,
    method: string,
    params: OdooCallParams,
    mayRetry: boolean,
  ): Promise<T> {
    const url = new URL(
      `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`,
      this.connection.url,
    );
    const what = { model, method };
    const response = await postJsonHonouringRateLimits(
      url,
      params,
      this.headers,
      this.resources.agents,
      this.resources.timeoutMs,
      what,
    );
    const body = parseJsonBody(response.text);
    if (response.status === 200) {
      if (body === undefined && response.text.trim() !== '') {
        throw new OdooError('retryable', `Odoo answered ${model}.${method} with a body that is not JSON`, {
          ...what,
          httpStatus: 200,
        });
      }
      return (body ?? null) as T;
    }
    const error = odooErrorFromException(isRecord(body) ? body : {}, {
      ...what,
      httpStatus: response.status,
      fallbackMessage: `Odoo answered HTTP ${response.status} to ${model}.${method}`,
    });
    // Bearer calls carry no session, so an expiry can only be a transient server state: one more try.
    if (mayRetry && error.sessionExpired) return this.post<T>(model, method, params, false);
    throw error;
  }
}
