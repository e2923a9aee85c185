import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decryptPrivateKey, encryptPrivateKey } from '../auth/private-key-cipher.js';
import type { AppConfig, KeyEncryptionKey } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { withTenant } from '../tenancy/with-tenant.js';
import type { WebhookEventType } from './webhook-event-type.js';

export interface WebhookSubscription {
  readonly id: string;
  readonly partnerId: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly createdAt: string;
}

interface Row {
  id: string;
  partner_id: string;
  url: string;
  events: WebhookEventType[];
  created_at: Date;
  secret_ciphertext: string;
}

const toSubscription = (row: Row): WebhookSubscription => ({
  id: row.id,
  partnerId: row.partner_id,
  url: row.url,
  events: row.events,
  createdAt: row.created_at.toISOString(),
});

/**
 * Partners' subscriptions. The signing secret is shown once at creation and kept encrypted
 * (AES-256-GCM under the key encryption key, the subscription id as associated data), because
 * Crossdock must sign with it again for every delivery: a hash would not do.
 */
@Injectable()
export class WebhookSubscriptions {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    tenantId: string,
    partnerId: string,
    url: string,
    events: readonly WebhookEventType[],
  ): Promise<WebhookSubscription & { readonly secret: string }> {
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const ciphertext = encryptPrivateKey(this.kek(), id, Buffer.from(secret, 'utf8'));
    const [row] = await withTenant(
      this.dataSource,
      tenantId,
      (manager) =>
        manager.query(
          `INSERT INTO webhook_subscriptions (id, tenant_id, partner_id, url, events, secret_ciphertext)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [id, tenantId, partnerId, url, events, ciphertext],
        ) as Promise<Row[]>,
    );
    return { ...toSubscription(row!), secret };
  }

  async list(tenantId: string, partnerId: string): Promise<WebhookSubscription[]> {
    const rows = await withTenant(
      this.dataSource,
      tenantId,
      (manager) =>
        manager.query(
          `SELECT * FROM webhook_subscriptions WHERE tenant_id = $1 AND partner_id = $2 AND deleted_at IS NULL
            ORDER BY created_at, id`,
          [tenantId, partnerId],
        ) as Promise<Row[]>,
    );
    return rows.map(toSubscription);
  }

  /** False when there is no such live subscription of this partner (the caller answers 404). */
  async remove(tenantId: string, partnerId: string, id: string): Promise<boolean> {
    const rows = await withTenant(
      this.dataSource,
      tenantId,
      (manager) =>
        manager.query(
          // Through a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count], not rows.
          `WITH removed AS (
             UPDATE webhook_subscriptions SET deleted_at = now()
              WHERE tenant_id = $1 AND partner_id = $2 AND id = $3 AND deleted_at IS NULL RETURNING id)
           SELECT id FROM removed`,
          [tenantId, partnerId, id],
        ) as Promise<unknown[]>,
    );
    return rows.length > 0;
  }

  /** Live subscriptions of a tenant to an event. */
  async subscribedTo(tenantId: string, event: WebhookEventType): Promise<WebhookSubscription[]> {
    const rows = await withTenant(
      this.dataSource,
      tenantId,
      (manager) =>
        manager.query(
          `SELECT * FROM webhook_subscriptions WHERE tenant_id = $1 AND $2 = ANY(events) AND deleted_at IS NULL`,
          [tenantId, event],
        ) as Promise<Row[]>,
    );
    return rows.map(toSubscription);
  }

  /** The URL and secret to deliver with; undefined once the subscription was deleted. */
  async target(tenantId: string, id: string): Promise<{ url: string; secret: string } | undefined> {
    const [row] = await withTenant(
      this.dataSource,
      tenantId,
      (manager) =>
        manager.query(
          `SELECT * FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`,
          [tenantId, id],
        ) as Promise<Row[]>,
    );
    if (!row) return undefined;
    return {
      url: row.url,
      secret: decryptPrivateKey(this.kek(), row.id, row.secret_ciphertext).toString('utf8'),
    };
  }

  private kek(): KeyEncryptionKey {
    // server.ts resolves it before Nest starts (demo mode generates one); absent only in misuse.
    if (!this.config.keyEncryptionKey) throw new Error('webhooks need the key encryption key');
    return this.config.keyEncryptionKey;
  }
}
