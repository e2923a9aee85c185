import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { TenantFileError } from '../../../src/tenancy/tenant-file-error.js';
import { loadTenants } from '../../../src/tenancy/tenant-loader.js';
import type { TenantDefinition } from '../../../src/tenancy/tenant-definition.js';

const connection = (database: string, delivery = '') => `
    url: http://127.0.0.1:8069
    database: ${database}
    login: crossdock-bot
    apiKey: \${ODOO_KEY}${delivery}`;

async function load(odoo: string): Promise<TenantDefinition> {
  const dir = await mkdtemp(path.join(tmpdir(), 'crossdock-odoo-delivery-'));
  try {
    await writeFile(
      path.join(dir, 'acme.yaml'),
      `id: acme\nname: Acme\nenvironment: production\npartners: []\nodoo:${odoo}\n`,
    );
    const [tenant] = await loadTenants(dir, { env: { ODOO_KEY: 'key' } });
    return tenant!;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('odoo.delivery in a tenant file', () => {
  test('shared settings reach both connections; a connection overrides them key by key', async () => {
    const tenant = await load(`
  delivery:
    confirmOrders: true
    invoiceTolerance: '0.01'
    units: { ca: Case of 12, BX: Box }
  production:${connection('prod')}
  sandbox:${connection(
    'sandbox',
    `
    delivery:
      moveQuantityField: quantity_done
      invoiceTolerance: '1.00'
      units: { CA: Case of 6 }`,
  )}`);
    assert.deepEqual(tenant.odoo.production?.delivery, {
      confirmOrders: true,
      invoiceTolerance: '0.01',
      units: { CA: 'Case of 12', BX: 'Box' },
    });
    assert.deepEqual(tenant.odoo.sandbox?.delivery, {
      confirmOrders: true,
      invoiceTolerance: '1.00',
      moveQuantityField: 'quantity_done',
      units: { CA: 'Case of 6', BX: 'Box' },
    });
  });

  test('a connection without any setting has none', async () => {
    const tenant = await load(`
  production:${connection('prod')}`);
    assert.equal(tenant.odoo.production?.delivery, undefined);
  });

  test('a tolerance written as a number, or an unknown setting, is refused with its pointer', async () => {
    const error = await load(`
  delivery:
    invoiceTolerance: 0.5
    confirmOrder: true
  production:${connection('prod')}`).then(
      () => assert.fail('the file was accepted'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TenantFileError, String(error));
    assert.deepEqual(
      error.problems.map((p) => [p.path, p.message]),
      [
        ['/odoo/delivery/confirmOrder', 'is not a known property'],
        ['/odoo/delivery/invoiceTolerance', 'must be string'],
      ],
    );
  });
});
