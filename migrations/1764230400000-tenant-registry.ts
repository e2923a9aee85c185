import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The integration inventory: tenants, their partners, EDI identities and API clients. */
export class TenantRegistry1764230400000 implements MigrationInterface {
  name = 'TenantRegistry1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenants (
        id text PRIMARY KEY,
        name text NOT NULL,
        environment text NOT NULL CHECK (environment IN ('test', 'production')),
        active boolean NOT NULL DEFAULT true,
        demo boolean NOT NULL DEFAULT false,
        definition jsonb NOT NULL,
        source_file text NOT NULL,
        source_sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE partners (
        tenant_id text NOT NULL REFERENCES tenants(id),
        id text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('carrier', '3pl', 'warehouse', 'customer', 'supplier', 'marketplace')),
        environment text NOT NULL CHECK (environment IN ('test', 'production')),
        time_zone text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        definition jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz,
        PRIMARY KEY (tenant_id, id)
      )`);
    await queryRunner.query(`
      CREATE TABLE partner_edi_identities (
        tenant_id text NOT NULL,
        partner_id text NOT NULL,
        standard text NOT NULL CHECK (standard IN ('x12', 'edifact')),
        qualifier text NOT NULL DEFAULT '',
        identifier text NOT NULL,
        PRIMARY KEY (tenant_id, standard, qualifier, identifier),
        FOREIGN KEY (tenant_id, partner_id) REFERENCES partners(tenant_id, id)
      )`);
    await queryRunner.query(`
      CREATE TABLE api_clients (
        id text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id),
        partner_id text,
        description text,
        active boolean NOT NULL DEFAULT true,
        scopes text[] NOT NULL,
        secret_hashes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz,
        FOREIGN KEY (tenant_id, partner_id) REFERENCES partners(tenant_id, id)
      )`);
    await queryRunner.query(`CREATE INDEX api_clients_tenant_idx ON api_clients (tenant_id, partner_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_clients`);
    await queryRunner.query(`DROP TABLE partner_edi_identities`);
    await queryRunner.query(`DROP TABLE partners`);
    await queryRunner.query(`DROP TABLE tenants`);
  }
}
