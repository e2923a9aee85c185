import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DataSource, EntityManager } from 'typeorm';
import { ShipmentDocuments } from '../../../src/api/shipment-documents.js';
import { ShipmentTracking, type PortalFilter } from '../../../src/api/shipment-tracking.js';
import type { ShipmentView } from '../../../src/api/shipment-view.js';
import { createDataSource } from '../../../src/database/data-source.js';
import { loadTenants } from '../../../src/tenancy/tenant-loader.js';
import { TenantScope } from '../../../src/tenancy/tenant-scope.js';
import { syncTenants } from '../../../src/tenancy/tenant-sync.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const SHIPMENTS = 6;
const customer = new TenantScope('demo', 'demo-customer', 'demo-retail');

/** Counts the tenant transactions (one per read-model query) the tracking service opens. */
function countingTransactions(dataSource: DataSource): { dataSource: DataSource; count: () => number } {
  let transactions = 0;
  const proxy = new Proxy(dataSource, {
    get(target, property) {
      if (property === 'transaction') {
        return (work: (manager: EntityManager) => Promise<unknown>) => {
          transactions += 1;
          return target.transaction(work);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { dataSource: proxy, count: () => transactions };
}

describe('the portal shipment list reads all its shipments in a fixed number of queries', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let messageId: string;
  let sequence = 0;

  const insertDocument = async (
    partnerId: string,
    documentType: 'ShipmentNotice' | 'TrackingEvent',
    naturalKey: string,
    minute: number,
    canonical: Record<string, unknown>,
  ): Promise<void> => {
    sequence += 1;
    await dataSource.query(
      `INSERT INTO documents (id, message_id, tenant_id, partner_id, document_type, sequence, state, environment,
         natural_key, canonical, created_at)
       VALUES ($1, $2, 'demo', $3, $4, $5, 'delivered', 'production', $6, $7,
         timestamptz '2026-11-27T08:00:00Z' + make_interval(mins => $8))`,
      [randomUUID(), messageId, partnerId, documentType, sequence, naturalKey, canonical, minute],
    );
  };
  const notice = (shipmentId: string, account: string): Record<string, unknown> => ({
    documentType: 'ShipmentNotice',
    shipmentId,
    billOfLading: `BOL-${shipmentId}`,
    trackingNumbers: [`TRK-${shipmentId}`],
    carrier: { scac: 'FDEG' },
    parties: [{ role: 'shipTo', ids: [{ qualifier: 'customerAccount', value: account }] }],
    orders: [],
  });
  // The carrier names the BOL only: the list must follow the ASN's identifiers to find it.
  const event = (shipmentId: string, milestone: string, occurredAt: string): Record<string, unknown> => ({
    documentType: 'TrackingEvent',
    shipmentRef: { billOfLading: `BOL-${shipmentId}`, purchaseOrderNumbers: [] },
    statusCode: 'X6',
    milestone,
    occurredAt,
  });

  before(async () => {
    database = await createTestDatabase('portal_list');
    dataSource = createDataSource(database.url);
    await dataSource.initialize();
    await dataSource.runMigrations();
    await syncTenants(dataSource, await loadTenants(path.resolve('tenants'), { env: {}, includeDemo: true }));
    messageId = randomUUID();
    await dataSource.query(
      `INSERT INTO messages (id, tenant_id, partner_id, direction, channel, format, state, environment, correlation_id,
         payload, payload_sha256, payload_size)
       VALUES ($1, 'demo', 'demo-3pl', 'inbound', 'rest', 'json', 'delivered', 'production', $2, '\\x', '', 0)`,
      [messageId, `portal-${messageId}`],
    );
    for (let i = 1; i <= SHIPMENTS; i += 1) {
      await insertDocument('demo-3pl', 'ShipmentNotice', `ASN-${i}`, i, notice(`SHIP-${i}`, 'demo-retail'));
      await insertDocument(
        'demo-carrier',
        'TrackingEvent',
        `EVT-${i}`,
        10 + i,
        event(`SHIP-${i}`, 'PICKED_UP', '2026-11-27T09:00:00Z'),
      );
    }
    // SHIP-2 moves last, so it must come first; a shipment of another customer must never show.
    await insertDocument(
      'demo-carrier',
      'TrackingEvent',
      'EVT-2-late',
      30,
      event('SHIP-2', 'DELIVERED', '2026-11-28T10:00:00Z'),
    );
    await insertDocument('demo-3pl', 'ShipmentNotice', 'ASN-X', 40, notice('SHIP-X', 'someone-else'));
    await insertDocument(
      'demo-carrier',
      'TrackingEvent',
      'EVT-X',
      41,
      event('SHIP-X', 'PICKED_UP', '2026-11-27T09:00:00Z'),
    );
  });
  after(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  test('pages through every shipment of the customer, newest update first, with full timelines', async () => {
    const counted = countingTransactions(dataSource);
    const tracking = new ShipmentTracking(new ShipmentDocuments(counted.dataSource));
    const pages: ShipmentView[][] = [];
    let filter: PortalFilter = { limit: 4 };
    for (;;) {
      const before = counted.count();
      const page = await tracking.listForCustomer(customer, filter);
      // Ownership, then two identifier rounds, however many shipments the customer has.
      assert.equal(counted.count() - before, 3, `page ${pages.length + 1}`);
      pages.push(page.items);
      if (!page.next) break;
      filter = { limit: 4, after: page.next };
    }
    assert.deepEqual(
      pages.map((items) => items.map((view) => view.id)),
      [
        ['SHIP-2', 'SHIP-6', 'SHIP-5', 'SHIP-4'],
        ['SHIP-3', 'SHIP-1'],
      ],
    );
    const ship2 = pages[0]![0]!;
    assert.deepEqual(
      ship2.milestones.map((m) => [m.milestone, m.eventId]),
      [
        ['PICKED_UP', 'EVT-2'],
        ['DELIVERED', 'EVT-2-late'],
      ],
    );
    assert.equal(ship2.status, 'DELIVERED');
    assert.equal(ship2.billOfLading, 'BOL-SHIP-2');
    assert.equal(ship2.updatedAt, '2026-11-27T08:30:00.000Z');
  });

  test('each listed shipment is exactly the view the single-shipment read gives', async () => {
    const tracking = new ShipmentTracking(new ShipmentDocuments(dataSource));
    const { items } = await tracking.listForCustomer(customer, { limit: 50 });
    assert.equal(items.length, SHIPMENTS);
    for (const view of items) assert.deepEqual(view, await tracking.forCustomer(customer, view.id));
    assert.equal(await tracking.forCustomer(customer, 'SHIP-X'), undefined);
  });

  test('filters still apply to the shipments read in bulk', async () => {
    const tracking = new ShipmentTracking(new ShipmentDocuments(dataSource));
    const byTracking = await tracking.listForCustomer(customer, { limit: 50, reference: 'TRK-SHIP-4' });
    assert.deepEqual(
      byTracking.items.map((v) => v.id),
      ['SHIP-4'],
    );
    const foreign = await tracking.listForCustomer(customer, { limit: 50, reference: 'BOL-SHIP-X' });
    assert.deepEqual(foreign.items, []);
  });
});
