/** The slice of Odoo's data model a logistics integration touches (ODOO.md "Models"). */
export type SimFieldType =
  | 'char'
  | 'text'
  | 'html'
  | 'integer'
  | 'float'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'selection'
  | 'many2one'
  | 'one2many'
  | 'many2many';

export interface SimField {
  readonly type: SimFieldType;
  readonly relation?: string;
  /** For one2many: the many2one on the comodel that points back. */
  readonly inverse?: string;
  readonly required?: boolean;
  readonly selection?: readonly string[];
  readonly default?: unknown;
  /** The first major Odoo version that has the field (older servers answer "Invalid field"). */
  readonly since?: number;
  /** The last major Odoo version that has it. */
  readonly until?: number;
  /** Computed on read, refused on write (Odoo silently ignores writes to non-stored computes; we refuse to catch mapping bugs). */
  readonly computed?: boolean;
}

export interface SimModel {
  readonly name: string;
  readonly fields: Readonly<Record<string, SimField>>;
  /** Inherits mail.thread: has a chatter, accepts message_post. */
  readonly mailThread?: boolean;
  /** Field used for display_name. */
  readonly recName?: string;
}

const char = (extra: Partial<SimField> = {}): SimField => ({ type: 'char', ...extra });
const m2o = (relation: string, extra: Partial<SimField> = {}): SimField => ({
  type: 'many2one',
  relation,
  ...extra,
});
const o2m = (relation: string, inverse: string): SimField => ({ type: 'one2many', relation, inverse });
const float = (extra: Partial<SimField> = {}): SimField => ({ type: 'float', default: 0, ...extra });
const bool = (defaultValue = false): SimField => ({ type: 'boolean', default: defaultValue });
const datetime: SimField = { type: 'datetime' };
const date: SimField = { type: 'date' };
const selection = (values: readonly string[], defaultValue?: string, required = false): SimField => ({
  type: 'selection',
  selection: values,
  ...(defaultValue !== undefined ? { default: defaultValue } : {}),
  required,
});

const PICKING_STATES = ['draft', 'waiting', 'confirmed', 'assigned', 'done', 'cancel'] as const;

export const SIM_MODELS: readonly SimModel[] = [
  {
    name: 'res.partner',
    mailThread: true,
    fields: {
      name: char({ required: true }),
      ref: char(),
      email: char(),
      is_company: bool(),
      active: bool(true),
      street: char(),
      city: char(),
      zip: char(),
      parent_id: m2o('res.partner'),
    },
  },
  {
    name: 'res.currency',
    fields: {
      name: char({ required: true }),
      symbol: char(),
      decimal_places: { type: 'integer', default: 2 },
    },
  },
  {
    name: 'uom.category',
    fields: { name: char({ required: true }) },
  },
  {
    // Up to 18.0: a unit converts only within its category, through `factor` (units per reference
    // unit). Odoo 19 dropped the categories; the simulator leaves its other unit model as it is.
    name: 'uom.uom',
    fields: {
      name: char({ required: true }),
      category_id: m2o('uom.category', { required: true, until: 18 }),
      factor: float({ default: 1 }),
      uom_type: selection(['bigger', 'reference', 'smaller'], 'reference', true),
      rounding: float({ default: 0.01 }),
      active: bool(true),
    },
  },
  {
    name: 'product.product',
    fields: {
      name: char({ required: true }),
      uom_id: m2o('uom.uom', { required: true }),
      default_code: char(),
      barcode: char(),
      list_price: float(),
      type: selection(['consu', 'service', 'combo'], 'consu'),
      active: bool(true),
    },
  },
  {
    name: 'sale.order',
    mailThread: true,
    fields: {
      name: char({ default: 'New' }),
      partner_id: m2o('res.partner', { required: true }),
      partner_invoice_id: m2o('res.partner'),
      partner_shipping_id: m2o('res.partner'),
      client_order_ref: char(),
      origin: char(),
      date_order: datetime,
      commitment_date: datetime,
      state: selection(['draft', 'sent', 'sale', 'cancel'], 'draft'),
      locked: bool(),
      currency_id: m2o('res.currency'),
      order_line: o2m('sale.order.line', 'order_id'),
      picking_ids: o2m('stock.picking', 'sale_id'),
      note: { type: 'html' },
      amount_total: { type: 'float', computed: true },
    },
  },
  {
    name: 'sale.order.line',
    fields: {
      order_id: m2o('sale.order', { required: true }),
      product_id: m2o('product.product', { required: true }),
      name: { type: 'text' },
      product_uom_qty: float({ default: 1 }),
      product_uom: m2o('uom.uom', { required: true }),
      price_unit: float(),
      price_subtotal: { type: 'float', computed: true },
    },
  },
  {
    name: 'stock.location',
    fields: {
      name: char({ required: true }),
      usage: selection(['supplier', 'internal', 'customer', 'transit', 'inventory'], 'internal'),
    },
  },
  {
    name: 'stock.picking.type',
    fields: {
      name: char({ required: true }),
      code: selection(['incoming', 'outgoing', 'internal'], 'internal', true),
      sequence_code: char(),
      default_location_src_id: m2o('stock.location'),
      default_location_dest_id: m2o('stock.location'),
    },
  },
  {
    name: 'stock.picking',
    mailThread: true,
    fields: {
      name: char({ default: '/' }),
      origin: char(),
      scheduled_date: datetime,
      date_deadline: datetime,
      date_done: datetime,
      partner_id: m2o('res.partner'),
      picking_type_id: m2o('stock.picking.type', { required: true }),
      picking_type_code: {
        type: 'selection',
        selection: ['incoming', 'outgoing', 'internal'],
        computed: true,
      },
      location_id: m2o('stock.location'),
      location_dest_id: m2o('stock.location'),
      move_ids: o2m('stock.move', 'picking_id'),
      state: selection(PICKING_STATES, 'draft'),
      backorder_id: m2o('stock.picking'),
      return_id: m2o('stock.picking'),
      sale_id: m2o('sale.order'),
      carrier_tracking_ref: char(),
      weight: float(),
      note: { type: 'html' },
    },
  },
  {
    name: 'stock.move',
    fields: {
      name: char(),
      picking_id: m2o('stock.picking'),
      product_id: m2o('product.product', { required: true }),
      // `product_uom_qty`, `quantity` and `quantity_done` are counted in `product_uom`.
      product_uom_qty: float(),
      product_uom: m2o('uom.uom', { required: true }),
      // 17.0+: `quantity` and `picked` replaced `quantity_done` (ODOO.md).
      quantity: float({ since: 17 }),
      picked: { ...bool(), since: 17 },
      quantity_done: float({ until: 16 }),
      location_id: m2o('stock.location'),
      location_dest_id: m2o('stock.location'),
      state: selection(PICKING_STATES, 'draft'),
      origin: char(),
    },
  },
  {
    name: 'account.move',
    mailThread: true,
    fields: {
      name: char({ default: '/' }),
      move_type: selection(
        ['entry', 'out_invoice', 'out_refund', 'in_invoice', 'in_refund', 'out_receipt', 'in_receipt'],
        'entry',
        true,
      ),
      partner_id: m2o('res.partner'),
      ref: char(),
      invoice_date: date,
      invoice_origin: char(),
      currency_id: m2o('res.currency'),
      state: selection(['draft', 'posted', 'cancel'], 'draft'),
      invoice_line_ids: o2m('account.move.line', 'move_id'),
      narration: { type: 'html' },
      amount_total: { type: 'float', computed: true },
    },
  },
  {
    name: 'account.move.line',
    fields: {
      move_id: m2o('account.move', { required: true }),
      name: char(),
      product_id: m2o('product.product'),
      quantity: float({ default: 1 }),
      price_unit: float(),
      price_subtotal: { type: 'float', computed: true },
    },
  },
  {
    name: 'ir.model.data',
    recName: 'complete_name',
    fields: {
      name: char({ required: true }),
      module: char({ required: true }),
      model: char({ required: true }),
      res_id: { type: 'integer' },
      noupdate: bool(),
      complete_name: { type: 'char', computed: true },
    },
  },
  {
    name: 'mail.message',
    recName: 'body',
    fields: {
      model: char(),
      res_id: { type: 'integer' },
      body: { type: 'html' },
      subject: char(),
      message_type: selection(['email', 'comment', 'notification', 'user_notification'], 'comment'),
      subtype_xmlid: char(),
      author_id: m2o('res.partner'),
      date: datetime,
    },
  },
];
