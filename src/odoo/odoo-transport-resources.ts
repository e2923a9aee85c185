/** What one tenant connection owns, whatever its protocol: keep-alive sockets, the concurrency cap, the timeout. */
import type { OdooConnection } from '../tenancy/tenant-definition.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { DEFAULT_ODOO_CONCURRENCY, DEFAULT_ODOO_TIMEOUT_MS, type OdooClientOptions } from './odoo-client.js';
import { createKeepAliveAgents, type KeepAliveAgents } from './odoo-http-post.js';

export interface OdooTransportResources {
  readonly agents: KeepAliveAgents;
  readonly limiter: ConcurrencyLimiter;
  readonly timeoutMs: number;
  readonly userAgent: string;
}

export function createTransportResources(
  connection: OdooConnection,
  options: OdooClientOptions,
): OdooTransportResources {
  const concurrency = options.maxConcurrency ?? DEFAULT_ODOO_CONCURRENCY;
  return {
    limiter: new ConcurrencyLimiter(concurrency),
    // One socket per permitted concurrent call: the limiter already bounds the calls.
    agents: createKeepAliveAgents(concurrency),
    timeoutMs: options.timeoutMs ?? connection.timeoutMs ?? DEFAULT_ODOO_TIMEOUT_MS,
    userAgent: options.userAgent ?? 'crossdock-odoo-connector',
  };
}
