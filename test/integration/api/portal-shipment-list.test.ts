import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DataSource, EntityManager } from 'typeorm';
import { ShipmentDocuments } from '../../../src/api/shipment-documents.js';
import { ShipmentTracking, type PortalFilter } from '../../../src/api/shipment-tracking.js';
import type { ShipmentView } from '../../../src/api/shipment-view.js';
import { loadTenants } from '../../../src/tenancy/tenant-loader.js';
import { TenantScope } from '../../../src/tenancy/tenant-scope.js';
import { syncTenants } from '../../../src/tenancy/tenant-sync.js';
import { createMigratedDatabase } from '../../support/test-database.js';

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

/** A migrated test database with the demo tenant and one inbound message its documents hang off. */
interface PortalDatabase {
  readonly dataSource: DataSource;
  /** Inserts a delivered document of the demo tenant, `minute` minutes after 2026-11-27T08:00Z. */
  insertDocument(
    partnerId: string,
    documentType: 'ShipmentNotice' | 'TrackingEvent' | 'Order',
    naturalKey: string,
    minute: number,
    canonical: Record<string, unknown>,
  ): Promise<void>;
  close(): Promise<void>;
}

async function openPortalDatabase(name: string): Promise<PortalDatabase> {
  const database = await createMigratedDatabase(name);
  const { dataSource } = database;
  await syncTenants(dataSource, await loadTenants(path.resolve('tenants'), { env: {}, includeDemo: true }));
  const messageId = randomUUID();
  await dataSource.query(
    `INSERT INTO messages (id, tenant_id, partner_id, direction, channel, format, state, environment, correlation_id,
       payload, payload_sha256, payload_size)
     VALUES ($1, 'demo', 'demo-3pl', 'inbound', 'rest', 'json', 'delivered', 'production', $2, '\\x', '', 0)`,
    [messageId, `portal-${messageId}`],
  );
  let sequence = 0;
  return {
    dataSource,
    async insertDocument(partnerId, documentType, naturalKey, minute, canonical) {
      sequence += 1;
      await dataSource.query(
        `INSERT INTO documents (id, message_id, tenant_id, partner_id, document_type, sequence, state, environment,
           natural_key, canonical, created_at)
         VALUES ($1, $2, 'demo', $3, $4, $5, 'delivered', 'production', $6, $7,
           timestamptz '2026-11-27T08:00:00Z' + make_interval(mins => $8))`,
        [randomUUID(), messageId, partnerId, documentType, sequence, naturalKey, canonical, minute],
      );
    },
    close: () => database.close(),
  };
}

describe('the portal shipment list reads all its shipments in a fixed number of queries', () => {
  let portal: PortalDatabase;
  let dataSource: DataSource;
  const insertDocument: PortalDatabase['insertDocument'] = (...args) => portal.insertDocument(...args);

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
    portal = await openPortalDatabase('portal_list');
    dataSource = portal.dataSource;
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
    await portal?.close();
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

describe('portal ownership: the account a shipment names, or an order placed before it that names its parties', () => {
  let portal: PortalDatabase;
  let dataSource: DataSource;
  const insertDocument: PortalDatabase['insertDocument'] = (...args) => portal.insertDocument(...args);

  const shipTo = (qualifier: string, value: string): Record<string, unknown> => ({
    role: 'shipTo',
    ids: [{ qualifier, value }],
  });
  const notice = (
    shipmentId: string,
    party: Record<string, unknown>,
    po: string,
  ): Record<string, unknown> => ({
    documentType: 'ShipmentNotice',
    shipmentId,
    billOfLading: `BOL-${shipmentId}`,
    trackingNumbers: [`TRK-${shipmentId}`],
    carrier: { scac: 'FDEG' },
    parties: [party],
    orders: [{ purchaseOrderNumber: po, packages: [], lines: [] }],
  });
  // As the customer's web shop posts it: its account on the customer party, its store as ship-to.
  const order = (orderNumber: string): Record<string, unknown> => ({
    documentType: 'Order',
    orderNumber,
    customer: { role: 'customer', ids: [{ qualifier: 'account', value: 'demo-retail' }] },
    shipTo: shipTo('92', 'ST042'),
    lines: [],
  });
  const listed = async (tracking: ShipmentTracking): Promise<string[]> =>
    (await tracking.listForCustomer(customer, { limit: 50 })).items.map((v) => v.id);

  before(async () => {
    portal = await openPortalDatabase('portal_owner');
    dataSource = portal.dataSource;
  });
  after(async () => {
    await portal?.close();
  });

  test('a PO number shipped once before the order still links the shipments that follow the order', async () => {
    const tracking = new ShipmentTracking(new ShipmentDocuments(dataSource));
    await insertDocument(
      'demo-3pl',
      'ShipmentNotice',
      'ASN-OLD-R',
      1,
      notice('SHIP-OLD-R', shipTo('92', 'ST042'), 'PO-REUSE-7'),
    );
    await insertDocument('demo-customer', 'Order', 'ORD-REUSE-7', 2, order('PO-REUSE-7'));
    await insertDocument(
      'demo-3pl',
      'ShipmentNotice',
      'ASN-NEW-R',
      3,
      notice('SHIP-NEW-R', shipTo('92', 'ST042'), 'PO-REUSE-7'),
    );

    assert.equal((await tracking.forCustomer(customer, 'SHIP-NEW-R'))?.id, 'SHIP-NEW-R');
    assert.equal(await tracking.forCustomer(customer, 'SHIP-OLD-R'), undefined);
    const ids = await listed(tracking);
    assert.ok(ids.includes('SHIP-NEW-R') && !ids.includes('SHIP-OLD-R'), JSON.stringify(ids));
  });

  test('an order placed first does not claim a shipment to another customer that names its number', async () => {
    const tracking = new ShipmentTracking(new ShipmentDocuments(dataSource));
    await insertDocument('demo-customer', 'Order', 'ORD-PRE-1', 10, order('PO-PRE-1'));
    await insertDocument(
      'demo-3pl',
      'ShipmentNotice',
      'ASN-OTHERS',
      11,
      notice('SHIP-OTHERS', shipTo('customerAccount', 'someone-else'), 'PO-PRE-1'),
    );

    assert.equal(await tracking.forCustomer(customer, 'SHIP-OTHERS'), undefined);
    assert.ok(!(await listed(tracking)).includes('SHIP-OTHERS'));
  });

  test('an order naming another customer’s account as its ship-to does not claim that customer’s shipment', async () => {
    const tracking = new ShipmentTracking(new ShipmentDocuments(dataSource));
    await dataSource.query(
      `INSERT INTO partners (tenant_id, id, name, kind, environment, time_zone, definition)
       VALUES ('demo', 'other-customer', 'Other', 'customer', 'production', 'UTC', '{"customerAccount":"other-retail"}')`,
    );
    await insertDocument('demo-customer', 'Order', 'ORD-GRAB-1', 30, {
      ...order('PO-GRAB-1'),
      shipTo: shipTo('customerAccount', 'other-retail'),
    });
    await insertDocument(
      'demo-3pl',
      'ShipmentNotice',
      'ASN-GRAB',
      31,
      notice('SHIP-GRAB', shipTo('customerAccount', 'other-retail'), 'PO-GRAB-1'),
    );

    assert.equal(await tracking.forCustomer(customer, 'SHIP-GRAB'), undefined);
    assert.ok(!(await listed(tracking)).includes('SHIP-GRAB'));
  });

  test('an order placed after a shipment does not claim it, nor does a later event naming the number', async () => {
    const tracking = new ShipmentTracking(new ShipmentDocuments(dataSource));
    await insertDocument(
      'demo-3pl',
      'ShipmentNotice',
      'ASN-LATE',
      20,
      notice('SHIP-LATE', shipTo('92', 'ST042'), 'PO-LATE-3'),
    );
    await insertDocument('demo-customer', 'Order', 'ORD-LATE-3', 21, order('PO-LATE-3'));
    await insertDocument('demo-carrier', 'TrackingEvent', 'EVT-LATE', 22, {
      documentType: 'TrackingEvent',
      shipmentRef: { billOfLading: 'BOL-SHIP-LATE', purchaseOrderNumbers: ['PO-LATE-3'] },
      statusCode: 'X6',
      milestone: 'PICKED_UP',
      occurredAt: '2026-11-27T09:00:00Z',
    });

    assert.equal(await tracking.forCustomer(customer, 'SHIP-LATE'), undefined);
    assert.ok(!(await listed(tracking)).includes('SHIP-LATE'));
  });
});
