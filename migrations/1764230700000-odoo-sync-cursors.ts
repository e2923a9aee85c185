import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where each tenant's Odoo polling left off: the write_date cursor of the change poller, so no gap and no repeat across restarts. */
export class OdooSyncCursors1764230700000 implements MigrationInterface {
  name = 'OdooSyncCursors1764230700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE odoo_sync_cursors (
        tenant_id text NOT NULL REFERENCES tenants(id),
        flow text NOT NULL,
        cursor jsonb NOT NULL,
        polled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, flow)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE odoo_sync_cursors`);
  }
}
