import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The correlation-id filter of the audit query API through a hash index instead of a btree on
 * (tenant_id, correlation_id). Correlation ids are random (UUIDs, or whatever a caller sends), so
 * every append descended the btree to a random leaf, comparing text under the collation at each
 * level: the dearest of the table's indexes to maintain, for an equality lookup only. A hash index
 * answers `correlation_id = $2` from one hashed bucket; the tenant is checked on the few rows found
 * (row-level security and the tenant filter still apply).
 */
export class AuditCorrelationHashIndex1764230900000 implements MigrationInterface {
  name = 'AuditCorrelationHashIndex1764230900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX audit_events_correlation_hash_idx ON audit_events USING hash (correlation_id)`,
    );
    await queryRunner.query(`DROP INDEX audit_events_correlation_idx`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX audit_events_correlation_idx ON audit_events (tenant_id, correlation_id)`,
    );
    await queryRunner.query(`DROP INDEX audit_events_correlation_hash_idx`);
  }
}
