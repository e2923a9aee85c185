import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { verifyAuditChain } from '../../../src/audit/audit-verifier.js';
import { withRegistryAudit } from '../../../src/audit/registry-change-audit.js';
import type { TenantDefinition } from '../../../src/tenancy/tenant-definition.js';
import { loadTenants } from '../../../src/tenancy/tenant-loader.js';
import { syncTenants } from '../../../src/tenancy/tenant-sync.js';
import { createMigratedDatabase, type MigratedDatabase } from '../../support/test-database.js';

interface Row {
  action: string;
  resource_id: string;
  details: Record<string, unknown>;
}

describe('tenant sync changes in the audit log', () => {
  let database: MigratedDatabase;
  let dataSource: DataSource;
  let demo: TenantDefinition[];
  const entries = async (tenantId: string): Promise<Row[]> =>
    (await dataSource.query(
      `SELECT action, resource_id, details FROM audit_events WHERE tenant_id = $1 AND kind = 'tenancy' ORDER BY seq`,
      [tenantId],
    )) as Row[];

  before(async () => {
    database = await createMigratedDatabase('registry_audit');
    dataSource = database.dataSource;
    demo = await loadTenants(path.resolve('tenants'), { env: {}, includeDemo: true });
  });
  after(async () => {
    await database?.close();
  });

  test('creations, scope changes, secret rotations and deactivations land in the tenant chain', async () => {
    await withRegistryAudit(dataSource, 'boot', () => syncTenants(dataSource, demo));
    const created = await entries('demo');
    assert.deepEqual(
      created.filter((e) => e.resource_id === 'demo').map((e) => e.action),
      ['tenant.create'],
    );
    const carrier = created.find((e) => e.action === 'client.create' && e.resource_id === 'demo-carrier');
    assert.deepEqual(carrier?.details, {
      source: 'boot',
      scopes: carrier?.details.scopes,
      validSecrets: 1,
    });
    assert.ok(created.some((e) => e.action === 'partner.create' && e.resource_id === 'demo-edi'));

    // Unchanged files: nothing to record.
    await withRegistryAudit(dataSource, 'boot', () => syncTenants(dataSource, demo));
    assert.equal((await entries('demo')).length, created.length);

    const [tenant] = demo.filter((t) => t.id === 'demo');
    const changed: TenantDefinition = {
      ...tenant!,
      partners: tenant!.partners.filter((p) => p.id !== 'demo-customer'),
      apiClients: tenant!.apiClients
        .filter((c) => c.partnerId !== 'demo-customer')
        .map((c) =>
          c.id === 'demo-auditor'
            ? { ...c, scopes: ['audit:read'], secrets: [...c.secrets, 'rotated-secret-2'] }
            : c,
        ),
    };
    await withRegistryAudit(dataSource, 'cli', () =>
      syncTenants(dataSource, [changed, ...demo.filter((t) => t.id !== 'demo')]),
    );
    const later = (await entries('demo')).slice(created.length);
    const auditor = later.find((e) => e.resource_id === 'demo-auditor');
    assert.equal(auditor?.action, 'client.update');
    assert.deepEqual(auditor?.details.scopesAfter, ['audit:read']);
    assert.equal(auditor?.details.validSecrets, 2);
    assert.equal(auditor?.details.source, 'cli');
    assert.ok(later.some((e) => e.action === 'partner.deactivate' && e.resource_id === 'demo-customer'));
    assert.ok(later.some((e) => e.action === 'client.deactivate' && e.resource_id === 'demo-customer'));
    assert.ok(!JSON.stringify(later).includes('rotated-secret-2'));
    assert.equal((await verifyAuditChain(dataSource, 'demo')).firstBreak, null);
  });
});
