import { TenantRegistry1764230400000 } from './1764230400000-tenant-registry.js';
import { SigningKeys1764230500000 } from './1764230500000-signing-keys.js';
import { TenantRowSecurity1764230510000 } from './1764230510000-tenant-row-security.js';
import { AuditLog1764230550000 } from './1764230550000-audit-log.js';
import { MessagePipeline1764230600000 } from './1764230600000-message-pipeline.js';
import { OdooSyncCursors1764230700000 } from './1764230700000-odoo-sync-cursors.js';
import { As2Transfers1764230800000 } from './1764230800000-as2-transfers.js';
import { WebhookSubscriptions1764230850000 } from './1764230850000-webhook-subscriptions.js';

/** Every migration in order. Listed by hand: reviewed like code, never discovered by a glob. */
export const ALL_MIGRATIONS = [
  TenantRegistry1764230400000,
  SigningKeys1764230500000,
  TenantRowSecurity1764230510000,
  AuditLog1764230550000,
  MessagePipeline1764230600000,
  OdooSyncCursors1764230700000,
  As2Transfers1764230800000,
  WebhookSubscriptions1764230850000,
];
