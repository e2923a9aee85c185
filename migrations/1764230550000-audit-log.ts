import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log: one hash chain per tenant (`_system` for entries without one), append-only by
 * trigger. `audit_chain_heads` holds each chain's last sequence number and hash: appenders lock
 * its row to serialize, and verify compares it with the last entry to catch a cut-off tail.
 */
export class AuditLog1764230550000 implements MigrationInterface {
  name = 'AuditLog1764230550000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_chain_heads (
        tenant_id text PRIMARY KEY,
        seq bigint NOT NULL,
        hash text NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE audit_events (
        tenant_id text NOT NULL,
        seq bigint NOT NULL,
        id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL,
        action text NOT NULL,
        client_id text,
        partner_id text,
        source_ip text,
        user_agent text,
        method text,
        route text,
        path text,
        resource_type text,
        resource_id text,
        status integer,
        scopes text[] NOT NULL DEFAULT '{}',
        correlation_id text,
        latency_ms double precision,
        bytes_in bigint,
        bytes_out bigint,
        reason text,
        details jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        PRIMARY KEY (tenant_id, seq)
      )`);
    await queryRunner.query(`CREATE INDEX audit_events_time_idx ON audit_events (tenant_id, occurred_at)`);
    await queryRunner.query(
      `CREATE INDEX audit_events_correlation_idx ON audit_events (tenant_id, correlation_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX audit_events_client_idx ON audit_events (tenant_id, client_id, seq)`,
    );
    await queryRunner.query(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
    // Second wall behind the tenant filter of the query API: under the tenant role a reader sees
    // only its own chain, and may not write at all (the writer keeps the owner's rights).
    await queryRunner.query(`GRANT SELECT ON audit_events TO crossdock_tenant`);
    await queryRunner.query(`ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(
      `CREATE POLICY tenant_isolation ON audit_events FOR SELECT
         USING (tenant_id = current_setting('crossdock.tenant_id', true))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_events`);
    await queryRunner.query(`DROP FUNCTION audit_events_refuse_change()`);
    await queryRunner.query(`DROP TABLE audit_chain_heads`);
  }
}
