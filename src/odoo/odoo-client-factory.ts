/** Picks the transport the tenant's connection names (`protocol` in the tenant file). */
import type { OdooConnection } from '../tenancy/tenant-definition.js';
import type { OdooClient, OdooClientOptions } from './odoo-client.js';
import { OdooJson2Client } from './odoo-json2-client.js';
import { OdooJsonRpcClient } from './odoo-json-rpc-client.js';

/**
 * One client per tenant connection: it owns the keep-alive sockets, the cached uid and the
 * concurrency cap, so the caller should keep it for the life of the process rather than per message.
 */
export function createOdooClient(connection: OdooConnection, options: OdooClientOptions = {}): OdooClient {
  switch (connection.protocol) {
    case 'json2':
      return new OdooJson2Client(connection, options);
    case 'jsonrpc':
      return new OdooJsonRpcClient(connection, options);
  }
}
