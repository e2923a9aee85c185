import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Partners' webhook subscriptions; the signing secret is stored encrypted with the key encryption key. */
export class WebhookSubscriptions1764230850000 implements MigrationInterface {
  name = 'WebhookSubscriptions1764230850000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id),
        partner_id text NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        secret_ciphertext text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX webhook_subscriptions_tenant_idx ON webhook_subscriptions (tenant_id, partner_id) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON webhook_subscriptions TO crossdock_tenant`);
    await queryRunner.query(`ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(
      `CREATE POLICY tenant_isolation ON webhook_subscriptions
         USING (tenant_id = current_setting('crossdock.tenant_id', true))
         WITH CHECK (tenant_id = current_setting('crossdock.tenant_id', true))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_subscriptions`);
  }
}
