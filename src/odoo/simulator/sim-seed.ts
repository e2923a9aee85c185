/**
 * Demo data: the partners, products and open pickings the sample EDI files under
 * test/fixtures/edi/x12 refer to (PO778899 / BOL998877 / PRO445566 from SCAC ABCD, the 5010 and
 * replace samples, the S-P-O-I sample's two POs, the 214 appointment's PRO-APPT-1), so an 856/214/210 ingested in demo mode lands
 * on real records.
 */
import type { SimDatabase } from './sim-database.js';

export type SimSeed = 'demo' | 'empty' | ((db: SimDatabase) => void);

export function seedDatabase(db: SimDatabase, seed: SimSeed): void {
  if (seed === 'empty') {
    seedBasics(db);
    return;
  }
  if (seed === 'demo') {
    seedBasics(db);
    seedDemo(db);
    return;
  }
  seed(db);
}

/** What every Odoo has after installing stock, sale and account: currencies, locations, operation types. */
export function seedBasics(db: SimDatabase): void {
  db.create('res.partner', { name: 'My Company', is_company: true });
  for (const [name, symbol, decimals] of [
    ['USD', '$', 2],
    ['EUR', '€', 2],
    ['CAD', '$', 2],
    ['GBP', '£', 2],
    ['JPY', '¥', 0],
  ] as const) {
    db.create('res.currency', { name, symbol, decimal_places: decimals });
  }
  seedUnits(db);
  const vendors = db.create('stock.location', { name: 'Partners/Vendors', usage: 'supplier' });
  const stock = db.create('stock.location', { name: 'WH/Stock', usage: 'internal' });
  const customers = db.create('stock.location', { name: 'Partners/Customers', usage: 'customer' });
  db.create('stock.picking.type', {
    name: 'Receipts',
    code: 'incoming',
    sequence_code: 'IN',
    default_location_src_id: vendors,
    default_location_dest_id: stock,
  });
  db.create('stock.picking.type', {
    name: 'Delivery Orders',
    code: 'outgoing',
    sequence_code: 'OUT',
    default_location_src_id: stock,
    default_location_dest_id: customers,
  });
}

/**
 * The units of measure the `uom` module installs, with their xml ids (uom/data/uom_data.xml):
 * `factor` is how many of the unit make one reference unit of its category.
 */
function seedUnits(db: SimDatabase): void {
  const categories = new Map<string, number>();
  const units: ReadonlyArray<[string, string, string, number, 'bigger' | 'reference' | 'smaller', number]> = [
    ['product_uom_unit', 'Units', 'Unit', 1, 'reference', 0.01],
    ['product_uom_dozen', 'Dozens', 'Unit', 1 / 12, 'bigger', 0.01],
    ['product_uom_kgm', 'kg', 'Weight', 1, 'reference', 0.01],
    ['product_uom_gram', 'g', 'Weight', 1000, 'smaller', 0.01],
    ['product_uom_lb', 'lb', 'Weight', 2.20462, 'smaller', 0.01],
    ['product_uom_oz', 'oz', 'Weight', 35.274, 'smaller', 0.01],
    ['product_uom_litre', 'L', 'Volume', 1, 'reference', 0.01],
    ['product_uom_meter', 'm', 'Length / Distance', 1, 'reference', 0.01],
  ];
  for (const [xmlId, name, category, factor, uom_type, rounding] of units) {
    let categoryId = categories.get(category);
    if (categoryId === undefined)
      categories.set(category, (categoryId = db.create('uom.category', { name: category })));
    const id = db.create('uom.uom', { name, ...categoryOf(db, categoryId), factor, uom_type, rounding });
    db.create('ir.model.data', { module: 'uom', name: xmlId, model: 'uom.uom', res_id: id, noupdate: true });
  }
}

/** A unit's category, where the version has them (up to 18.0). */
function categoryOf(db: SimDatabase, categoryId: number | undefined): { category_id?: number } {
  return categoryId !== undefined && 'category_id' in db.model('uom.uom').fields
    ? { category_id: categoryId }
    : {};
}

function seedDemo(db: SimDatabase): void {
  const partner = (name: string, ref: string): number =>
    db.create('res.partner', { name, ref, is_company: true });
  const supplier = partner('Acme Warehouse', 'WH01');
  partner('Big Store 42', 'ST042');
  const retail = partner('Demo Retail Customer', 'demo-retail');
  partner('Demo B Retail Customer', 'demo-b-retail');
  partner('ABCD Freight', 'ABCD');
  partner('FedEx Ground', 'FDEG');
  partner('XPO Logistics', 'XPOL');
  partner('UPS', 'UPSN');

  const product = (default_code: string, name: string, list_price: number): number =>
    db.create('product.product', { default_code, name, list_price });
  // A unit the demo company made: SKU-001 ships in cases of 12 (partners send CA).
  const [unitCategory] = db.search('uom.category', [['name', '=', 'Unit']]);
  db.create('uom.uom', {
    name: 'Case of 12',
    ...categoryOf(db, unitCategory),
    factor: 1 / 12,
    uom_type: 'bigger',
    rounding: 1,
  });
  const sku1 = product('SKU-001', 'Blue widget', 12.5);
  const sku2 = product('SKU-002', 'Bulk bolts, loose', 0.35);
  product('SKU-003', 'Red gadget', 49.99);
  const red = product('WIDGET-RED', 'Widget, red', 9.9);
  const blue = product('WIDGET-BLUE', 'Widget, blue', 9.9);

  const [receipts] = db.search('stock.picking.type', [['code', '=', 'incoming']]);
  const receipt = (origin: string, lines: Array<[number, number]>): number =>
    db.create('stock.picking', {
      picking_type_id: receipts,
      origin,
      partner_id: supplier,
      state: 'assigned',
      scheduled_date: '2026-11-30 17:00:00',
      move_ids: lines.map(([product_id, product_uom_qty]) => [0, 0, { product_id, product_uom_qty }]),
    });
  receipt('PO778899', [
    [sku1, 10],
    [sku2, 2.5],
  ]);
  receipt('PO-5010-1', [[sku1, 24]]);
  receipt('PO-REPLACE-9', [[sku1, 6]]);
  receipt('PO-SPOI-A', [[red, 6]]);
  receipt('PO-SPOI-B', [[blue, 12]]);

  // A confirmed customer order with its delivery, for fulfilment confirmations and returns.
  const order = db.create('sale.order', {
    partner_id: retail,
    client_order_ref: 'ORD-1001',
    order_line: [
      [0, 0, { product_id: sku1, product_uom_qty: 5, price_unit: 12.5 }],
      [0, 0, { product_id: sku2, product_uom_qty: 40, price_unit: 0.35 }],
    ],
  });
  db.actionConfirm([order]);

  // An outbound shipment already handed to XPO: the 214 appointment sample (PRO-APPT-1) tracks it.
  const shipped = db.create('sale.order', {
    partner_id: retail,
    client_order_ref: 'ORD-1002',
    order_line: [[0, 0, { product_id: blue, product_uom_qty: 12, price_unit: 9.9 }]],
  });
  db.actionConfirm([shipped]);
  const [delivery] = db.search('stock.picking', [['sale_id', '=', shipped]]);
  if (delivery !== undefined) db.write('stock.picking', [delivery], { carrier_tracking_ref: 'PRO-APPT-1' });
}
