import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { verifySecret } from '../../../src/common/secret-hash.js';
import type { TenantDefinition } from '../../../src/tenancy/tenant-definition.js';
import { loadTenants } from '../../../src/tenancy/tenant-loader.js';
import { syncTenants } from '../../../src/tenancy/tenant-sync.js';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/test-database.js';

describe('syncTenants against PostgreSQL', () => {
  let database: MigratedDatabase;
  let dataSource: DataSource;
  let demo: TenantDefinition[];

  before(async () => {
    database = await createMigratedDatabase('sync');
    dataSource = database.dataSource;
    demo = await loadTenants(path.resolve('tenants'), { env: {}, includeDemo: true });
  });
  after(async () => {
    await database?.close();
  });

  test('first sync creates, second sync with the same files changes nothing', async () => {
    const first = await syncTenants(dataSource, demo);
    assert.deepEqual(first.tenants, { created: 2, updated: 0, unchanged: 0, deactivated: 0 });
    assert.deepEqual(first.partners, { created: 8, updated: 0, unchanged: 0, deactivated: 0 });
    assert.deepEqual(first.apiClients, { created: 12, updated: 0, unchanged: 0, deactivated: 0 });
    const second = await syncTenants(dataSource, demo);
    assert.deepEqual(second.tenants, { created: 0, updated: 0, unchanged: 2, deactivated: 0 });
    assert.deepEqual(second.partners, { created: 0, updated: 0, unchanged: 8, deactivated: 0 });
    assert.deepEqual(second.apiClients, { created: 0, updated: 0, unchanged: 12, deactivated: 0 });
  });

  test('client secrets are stored only as scrypt hashes that verify', async () => {
    const [row] = (await dataSource.query(
      `SELECT secret_hashes, scopes FROM api_clients WHERE id = 'demo-carrier'`,
    )) as {
      secret_hashes: string[];
      scopes: string[];
    }[];
    assert.equal(row!.secret_hashes.length, 1);
    assert.match(row!.secret_hashes[0]!, /^scrypt\$32768\$8\$1\$/);
    assert.ok(!row!.secret_hashes[0]!.includes('demo-carrier-secret'));
    assert.equal(await verifySecret('demo-carrier-secret', row!.secret_hashes[0]!), true);
    assert.equal(await verifySecret('wrong', row!.secret_hashes[0]!), false);
    assert.ok(row!.scopes.includes('tracking:write'));
  });

  test('no resolved secret reaches the tenants table', async () => {
    const rows = (await dataSource.query(`SELECT definition::text AS d FROM tenants`)) as { d: string }[];
    for (const row of rows) {
      const odoo = (JSON.parse(row.d) as { odoo: { production: { apiKey: string } } }).odoo.production;
      assert.match(
        odoo.apiKey,
        /^\$\{DEMO(_B)?_ODOO_API_KEY:-demo-odoo-key\}$/,
        'only the reference is stored',
      );
    }
  });

  test('a removed partner and its client are deactivated, not deleted; EDI identities follow the file', async () => {
    const edited = demo.map((tenant) =>
      tenant.id !== 'demo'
        ? tenant
        : {
            ...tenant,
            partners: tenant.partners.filter((p) => p.id !== 'demo-edi'),
            apiClients: tenant.apiClients.filter((c) => c.id !== 'demo-edi'),
          },
    );
    const summary = await syncTenants(dataSource, edited);
    assert.equal(summary.partners.deactivated, 1);
    assert.equal(summary.apiClients.deactivated, 1);
    const [partner] = (await dataSource.query(
      `SELECT active, deactivated_at FROM partners WHERE tenant_id = 'demo' AND id = 'demo-edi'`,
    )) as { active: boolean; deactivated_at: Date | null }[];
    assert.equal(partner!.active, false);
    assert.ok(partner!.deactivated_at instanceof Date);
    const identities = (await dataSource.query(
      `SELECT partner_id FROM partner_edi_identities WHERE tenant_id = 'demo'`,
    )) as { partner_id: string }[];
    assert.deepEqual(identities, []);

    const restored = await syncTenants(dataSource, demo);
    assert.equal(restored.partners.updated, 1, 'the partner comes back active');
    const [again] = (await dataSource.query(
      `SELECT active, deactivated_at FROM partners WHERE tenant_id = 'demo' AND id = 'demo-edi'`,
    )) as { active: boolean; deactivated_at: Date | null }[];
    assert.deepEqual(again, { active: true, deactivated_at: null });
  });

  test('a rotated secret is rehashed; the one kept keeps its hash', async () => {
    const before = (await dataSource.query(
      `SELECT secret_hashes FROM api_clients WHERE id = 'demo-3pl'`,
    )) as {
      secret_hashes: string[];
    }[];
    const rotated = demo.map((tenant) => ({
      ...tenant,
      apiClients: tenant.apiClients.map((c) =>
        c.id === 'demo-3pl' ? { ...c, secrets: ['demo-3pl-secret', 'next-secret'] } : c,
      ),
    }));
    const summary = await syncTenants(dataSource, rotated);
    assert.equal(summary.apiClients.updated, 1);
    const [after] = (await dataSource.query(
      `SELECT secret_hashes FROM api_clients WHERE id = 'demo-3pl'`,
    )) as {
      secret_hashes: string[];
    }[];
    assert.equal(after!.secret_hashes[0], before[0]!.secret_hashes[0]);
    assert.equal(await verifySecret('next-secret', after!.secret_hashes[1]!), true);
  });

  test('an edited tenant and partner are updated; a new file hash alone changes no row', async () => {
    const edited = demo.map((tenant) =>
      tenant.id !== 'demo'
        ? tenant
        : {
            ...tenant,
            name: 'Demo, renamed',
            sourceSha256: 'edited-file',
            partners: tenant.partners.map((p) =>
              p.id === 'demo-carrier' ? { ...p, timeZone: 'Asia/Tokyo' } : p,
            ),
          },
    );
    const summary = await syncTenants(dataSource, edited);
    assert.deepEqual(summary.tenants, { created: 0, updated: 1, unchanged: 1, deactivated: 0 });
    assert.deepEqual(summary.partners, { created: 0, updated: 1, unchanged: 7, deactivated: 0 });
    const row = async (): Promise<unknown> =>
      (
        await dataSource.query(
          `SELECT t.name, t.source_sha256, p.time_zone FROM tenants t
             JOIN partners p ON p.tenant_id = t.id AND p.id = 'demo-carrier' WHERE t.id = 'demo'`,
        )
      )[0];
    assert.deepEqual(await row(), {
      name: 'Demo, renamed',
      source_sha256: 'edited-file',
      time_zone: 'Asia/Tokyo',
    });

    const original = demo.find((t) => t.id === 'demo')!;
    await syncTenants(dataSource, demo);
    const sameMeaning = demo.map((tenant) =>
      tenant.id === 'demo' ? { ...tenant, sourceSha256: 'comments-only' } : tenant,
    );
    const unchanged = await syncTenants(dataSource, sameMeaning);
    assert.deepEqual(unchanged.tenants, { created: 0, updated: 0, unchanged: 2, deactivated: 0 });
    assert.deepEqual(await row(), {
      name: original.name,
      source_sha256: original.sourceSha256,
      time_zone: original.partners.find((p) => p.id === 'demo-carrier')!.timeZone,
    });
  });

  test('tenants absent from the files (demo tenants outside demo mode) are deactivated', async () => {
    const summary = await syncTenants(dataSource, []);
    assert.equal(summary.tenants.deactivated, 2);
    const active = (await dataSource.query(`SELECT count(*)::int AS n FROM api_clients WHERE active`)) as {
      n: number;
    }[];
    assert.equal(active[0]!.n, 0);
  });
});
