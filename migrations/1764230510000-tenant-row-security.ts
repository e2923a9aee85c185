import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenant-owned tables of the registry. A later tenant-owned table adds itself the same way (GRANT
 * to crossdock_tenant, ENABLE ROW LEVEL SECURITY, the policy); until it does, withTenant() code
 * cannot read it at all: permission denied rather than every tenant's rows.
 */
const TENANT_TABLES = ['partners', 'partner_edi_identities', 'api_clients'] as const;

/**
 * Row-level security as a second wall behind the `tenant_id` filters of every query.
 *
 * The application connects as the owner of the tables (a superuser in tests and with the embedded
 * database), and owners and superusers bypass RLS, even FORCE ROW LEVEL SECURITY in the superuser
 * case. So the policies bind the role `crossdock_tenant` (NOLOGIN, no BYPASSRLS) and
 * `withTenant()` switches to it for one transaction with `SET LOCAL ROLE` after setting
 * `crossdock.tenant_id`. Code that must see every tenant (tenant sync, migrations, the audit
 * writer) keeps the owner's rights. Without a tenant set, the policies match no row: fail closed.
 */
export class TenantRowSecurity1764230510000 implements MigrationInterface {
  name = 'TenantRowSecurity1764230510000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Roles are cluster-wide: another database of the same server may have created it already.
    await queryRunner.query(`
      DO $$ BEGIN
        CREATE ROLE crossdock_tenant NOLOGIN NOBYPASSRLS;
      EXCEPTION WHEN duplicate_object THEN NULL;
      END $$`);
    // A non-superuser owner must be a member to SET ROLE to it; superusers need nothing.
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          EXECUTE format('GRANT crossdock_tenant TO %I', current_user);
        END IF;
      END $$`);
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO crossdock_tenant`);
    await queryRunner.query(`GRANT SELECT ON tenants TO crossdock_tenant`);
    await queryRunner.query(`ALTER TABLE tenants ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(
      `CREATE POLICY tenant_isolation ON tenants USING (id = current_setting('crossdock.tenant_id', true))`,
    );
    for (const table of TENANT_TABLES) {
      await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO crossdock_tenant`);
      await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(
        `CREATE POLICY tenant_isolation ON ${table}
           USING (tenant_id = current_setting('crossdock.tenant_id', true))
           WITH CHECK (tenant_id = current_setting('crossdock.tenant_id', true))`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...TENANT_TABLES, 'tenants']) {
      await queryRunner.query(`DROP POLICY tenant_isolation ON ${table}`);
      await queryRunner.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      await queryRunner.query(`REVOKE ALL ON ${table} FROM crossdock_tenant`);
    }
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM crossdock_tenant`);
  }
}
