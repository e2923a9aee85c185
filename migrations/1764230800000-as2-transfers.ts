import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every AS2 transmission, both ways: the raw request as received (kept even when rejected, for
 * inspection), the MIC, the MDN we answered or got, and the state. Inbound rows dedupe on
 * (tenant, AS2-From, AS2-To, Message-ID): a partner's retry gets the original MDN again.
 */
export class As2Transfers1764230800000 implements MigrationInterface {
  name = 'As2Transfers1764230800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE as2_transfers (
        id uuid PRIMARY KEY,
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        tenant_id text,
        partner_id text,
        as2_from text NOT NULL,
        as2_to text NOT NULL,
        as2_message_id text NOT NULL,
        state text NOT NULL,
        failure text,
        detail text,
        request_headers jsonb NOT NULL DEFAULT '{}',
        body bytea,
        mic text,
        mic_algorithm text,
        message_id uuid,
        mdn_headers jsonb,
        mdn_body bytea,
        mdn_url text,
        mdn_attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        attempts integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX as2_transfers_dedup
         ON as2_transfers (direction, coalesce(tenant_id, ''), as2_from, as2_to, as2_message_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX as2_transfers_due ON as2_transfers (next_attempt_at) WHERE next_attempt_at IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX as2_transfers_message ON as2_transfers (tenant_id, message_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE as2_transfers`);
  }
}
