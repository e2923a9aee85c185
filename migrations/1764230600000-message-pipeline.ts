import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The durable inbox/outbox: every payload as received, the canonical documents translated from
 * it, every state transition, REST idempotency keys, interchange receipts for duplicate detection
 * and per-partner control number sequences.
 */
export class MessagePipeline1764230600000 implements MigrationInterface {
  name = 'MessagePipeline1764230600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id),
        partner_id text,
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        channel text NOT NULL CHECK (channel IN ('rest', 'as2', 'sftp', 'sftp-poll', 'odoo', 'cli', 'webhook')),
        format text NOT NULL,
        document_type text,
        state text NOT NULL,
        environment text NOT NULL CHECK (environment IN ('test', 'production')),
        correlation_id text NOT NULL,
        content_type text,
        file_name text,
        payload bytea NOT NULL,
        payload_sha256 text NOT NULL,
        payload_size integer NOT NULL,
        interchange_sender text,
        interchange_control_number text,
        group_control_number text,
        duplicate_of uuid REFERENCES messages(id),
        related_message_id uuid REFERENCES messages(id),
        diagnostics jsonb NOT NULL DEFAULT '[]',
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        received_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX messages_tenant_received_idx ON messages (tenant_id, received_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX messages_tenant_partner_idx ON messages (tenant_id, partner_id, received_at DESC)`,
    );
    await queryRunner.query(`CREATE INDEX messages_tenant_state_idx ON messages (tenant_id, state)`);
    await queryRunner.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY,
        message_id uuid NOT NULL REFERENCES messages(id),
        tenant_id text NOT NULL REFERENCES tenants(id),
        partner_id text,
        document_type text NOT NULL,
        sequence integer NOT NULL,
        state text NOT NULL,
        environment text NOT NULL CHECK (environment IN ('test', 'production')),
        target text,
        group_control_number text,
        transaction_control_number text,
        natural_key text,
        canonical jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        odoo_model text,
        odoo_id integer,
        odoo_external_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        UNIQUE (message_id, sequence)
      )`);
    await queryRunner.query(`CREATE INDEX documents_tenant_state_idx ON documents (tenant_id, state)`);
    await queryRunner.query(`
      CREATE TABLE message_events (
        id bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        message_id uuid NOT NULL REFERENCES messages(id),
        document_id uuid REFERENCES documents(id),
        from_state text,
        to_state text NOT NULL,
        cause text NOT NULL,
        attempt integer,
        detail jsonb,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await queryRunner.query(`CREATE INDEX message_events_message_idx ON message_events (message_id, id)`);
    await queryRunner.query(`
      CREATE TABLE interchange_receipts (
        tenant_id text NOT NULL,
        partner_id text NOT NULL,
        standard text NOT NULL,
        sender text NOT NULL,
        control_number text NOT NULL,
        message_id uuid NOT NULL REFERENCES messages(id),
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, partner_id, standard, sender, control_number, received_at)
      )`);
    await queryRunner.query(
      `CREATE INDEX interchange_receipts_lookup_idx ON interchange_receipts (tenant_id, partner_id, standard, sender, control_number, received_at DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        tenant_id text NOT NULL,
        client_id text NOT NULL,
        key text NOT NULL,
        request_method text NOT NULL,
        request_path text NOT NULL,
        request_sha256 text NOT NULL,
        response_status integer,
        response_headers jsonb,
        response_body bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, client_id, key)
      )`);
    // Row-level security as a second wall, as for the registry tables (see TenantRowSecurity).
    for (const table of ['messages', 'documents', 'message_events', 'idempotency_keys']) {
      await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON ${table} TO crossdock_tenant`);
      await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(
        `CREATE POLICY tenant_isolation ON ${table}
           USING (tenant_id = current_setting('crossdock.tenant_id', true))
           WITH CHECK (tenant_id = current_setting('crossdock.tenant_id', true))`,
      );
    }
    await queryRunner.query(`GRANT USAGE ON SEQUENCE message_events_id_seq TO crossdock_tenant`);
    await queryRunner.query(`
      CREATE TABLE control_number_sequences (
        tenant_id text NOT NULL,
        partner_id text NOT NULL,
        kind text NOT NULL,
        last_value bigint NOT NULL,
        PRIMARY KEY (tenant_id, partner_id, kind)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'control_number_sequences',
      'idempotency_keys',
      'interchange_receipts',
      'message_events',
      'documents',
      'messages',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
