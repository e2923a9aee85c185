/**
 * One Odoo database held in memory: the ORM behaviour the connector relies on (defaults, required
 * fields, x2many commands, the Odoo wire format for dates and many2one values, computed totals in
 * cents), and the business methods a logistics flow calls.
 */
import { compileDomain, type DomainLeafValue } from './sim-domain.js';
import { missingError, notFound, userError, validationError, valueError } from './sim-exceptions.js';
import { SIM_MODELS, type SimField, type SimModel } from './sim-models.js';

export type SimRecord = Record<string, unknown> & { id: number };

/** `create_date` and `write_date`, which every Odoo model has. */
const MAGIC_FIELDS: ReadonlySet<string> = new Set(['create_date', 'write_date']);

/** The major version the simulator serves unless told otherwise (`serverVersion`). */
export const SIM_DEFAULT_MAJOR_VERSION = 17;

/** The models as an Odoo of one major version has them: fields it does not know are left out. */
function modelsOf(major: number): Map<string, SimModel> {
  return new Map(
    SIM_MODELS.map((m) => [
      m.name,
      {
        ...m,
        fields: Object.fromEntries(
          Object.entries(m.fields).filter(
            ([, def]) => (def.since ?? 0) <= major && major <= (def.until ?? Infinity),
          ),
        ),
      },
    ]),
  );
}
const MODELS_BY_VERSION = new Map<number, Map<string, SimModel>>();
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export function simModel(name: string, major: number = SIM_DEFAULT_MAJOR_VERSION): SimModel {
  let models = MODELS_BY_VERSION.get(major);
  if (!models) MODELS_BY_VERSION.set(major, (models = modelsOf(major)));
  const model = models.get(name);
  // Odoo: `request.env[model]` → KeyError → NotFound under JSON-2, KeyError under JSON-RPC.
  if (!model) throw notFound(`the model '${name}' does not exist`);
  return model;
}

export function simModelNames(): string[] {
  return SIM_MODELS.map((m) => m.name);
}

export class SimDatabase {
  private readonly tables = new Map<string, Map<number, SimRecord>>();
  private readonly nextIds = new Map<string, number>();
  private readonly sequences = new Map<string, number>();
  /** Clock for `date` and `date_done`; tests may pin it. */
  now: () => Date = () => new Date();
  private lastMillisecond = '';
  private sameMillisecond = 0;

  constructor(
    readonly name: string,
    /** The Odoo major version served: which fields the models have (16 has `quantity_done`, 17 `quantity`). */
    readonly serverMajor: number = SIM_DEFAULT_MAJOR_VERSION,
  ) {
    for (const model of SIM_MODELS) this.tables.set(model.name, new Map());
  }

  /** The stored rows of a model, as the simulator holds them (for tests and the admin endpoint). */
  records(model: string): SimRecord[] {
    return [...this.table(model).values()].map((r) => ({ ...r }));
  }

  count(model: string): number {
    return this.table(model).size;
  }

  counts(): Record<string, number> {
    return Object.fromEntries(SIM_MODELS.map((m) => [m.name, this.count(m.name)]));
  }

  // ---- ORM -------------------------------------------------------------------------------------

  create(modelName: string, vals: unknown): number {
    const model = this.model(modelName);
    const values = this.checkVals(model, vals);
    const id = this.nextIds.get(modelName) ?? 1;
    this.nextIds.set(modelName, id + 1);
    const record: SimRecord = { id };
    for (const [field, def] of Object.entries(model.fields)) {
      if (def.computed || def.type === 'one2many') continue;
      record[field] = def.default ?? (def.type === 'integer' || def.type === 'float' ? 0 : false);
    }
    const x2many: Array<[string, unknown]> = [];
    for (const [field, value] of Object.entries(values)) {
      const def = model.fields[field]!;
      if (def.computed) continue;
      if (def.type === 'one2many') x2many.push([field, value]);
      else record[field] = this.convert(model, field, def, value);
    }
    this.applyCreateDefaults(model, record);
    for (const [field, def] of Object.entries(model.fields)) {
      if (def.required && (record[field] === false || record[field] === undefined)) {
        throw validationError(
          `The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n\nModel: ${model.name}\nField: ${field}`,
        );
      }
    }
    if (modelName === 'ir.model.data') this.checkXmlIdUnique(record);
    this.checkUomCategory(modelName, record);
    record['create_date'] = this.touch(record);
    this.table(modelName).set(id, record);
    for (const [field, commands] of x2many) this.applyX2many(model, id, field, commands);
    return id;
  }

  write(modelName: string, ids: readonly number[], vals: unknown): true {
    const model = this.model(modelName);
    const values = this.checkVals(model, vals);
    const records = this.browse(modelName, ids);
    // A constraint: the whole write is refused, nothing of it applied.
    for (const record of records) this.checkUomCategory(modelName, { ...record, ...values });
    for (const record of records) {
      for (const [field, value] of Object.entries(values)) {
        const def = model.fields[field]!;
        if (def.computed) continue;
        if (def.type === 'one2many') this.applyX2many(model, record.id, field, value);
        else {
          const converted = this.convert(model, field, def, value);
          if (def.required && converted === false)
            throw validationError(`The field ${field} on ${modelName} is mandatory`);
          record[field] = converted;
        }
      }
      if (modelName === 'stock.picking' && 'state' in values) this.propagatePickingState(record);
      this.touch(record);
    }
    return true;
  }

  unlink(modelName: string, ids: readonly number[]): true {
    const model = this.model(modelName);
    const records = this.browse(modelName, ids);
    if (
      modelName === 'sale.order' &&
      records.some((r) => r['state'] !== 'draft' && r['state'] !== 'cancel')
    ) {
      throw userError(
        'You can not delete a sent quotation or a confirmed sales order. You must first cancel it.',
      );
    }
    for (const record of records) {
      // Odoo's stock.picking.unlink cancels and unlinks its moves before the picking itself.
      if (modelName === 'stock.picking')
        this.unlink('stock.move', this.search('stock.move', [['picking_id', '=', record.id]]));
      // Lines whose link to the parent is required go with it (ondelete='cascade' in Odoo).
      for (const def of Object.values(model.fields)) {
        if (def.type !== 'one2many' || !this.model(def.relation!).fields[def.inverse!]?.required) continue;
        this.unlink(def.relation!, this.search(def.relation!, [[def.inverse!, '=', record.id]]));
      }
      this.table(modelName).delete(record.id);
    }
    return true;
  }

  search(
    modelName: string,
    domain: unknown,
    options: { offset?: unknown; limit?: unknown; order?: unknown } = {},
  ): number[] {
    const model = this.model(modelName);
    const predicate = compileDomain(domain);
    let rows = [...this.table(modelName).values()].filter((record) => {
      // Archived records stay out of searches unless the domain names `active` (Odoo's active_test).
      if (
        'active' in model.fields &&
        record['active'] === false &&
        !JSON.stringify(domain ?? []).includes('"active"')
      ) {
        return false;
      }
      return predicate((path) => this.resolvePath(model, record, path));
    });
    rows = this.sort(rows, typeof options.order === 'string' ? options.order : 'id');
    const offset = typeof options.offset === 'number' ? options.offset : 0;
    const limit = typeof options.limit === 'number' ? options.limit : undefined;
    return rows.slice(offset, limit === undefined ? undefined : offset + limit).map((r) => r.id);
  }

  read(modelName: string, ids: readonly number[], fields?: unknown): Array<Record<string, unknown>> {
    const model = this.model(modelName);
    const wanted =
      Array.isArray(fields) && fields.length > 0
        ? (fields as unknown[]).map(String)
        : Object.keys(model.fields);
    for (const field of wanted) {
      if (
        field !== 'id' &&
        field !== 'display_name' &&
        !MAGIC_FIELDS.has(field) &&
        !(field in model.fields)
      ) {
        throw valueError(`Invalid field '${field}' on model '${modelName}'`);
      }
    }
    return this.browse(modelName, ids).map((record) => {
      const out: Record<string, unknown> = { id: record.id };
      for (const field of wanted) {
        if (field === 'id') continue;
        out[field] =
          field === 'display_name' ? this.displayName(model, record) : this.readField(model, record, field);
      }
      return out;
    });
  }

  browse(modelName: string, ids: readonly number[]): SimRecord[] {
    const table = this.table(modelName);
    return ids.map((id) => {
      const record = table.get(id);
      if (!record) {
        throw missingError(
          `Record does not exist or has been deleted.\n(Record: ${modelName}(${id},), User: 2)`,
        );
      }
      return record;
    });
  }

  // ---- business methods ------------------------------------------------------------------------

  actionConfirm(ids: readonly number[]): true {
    for (const order of this.browse('sale.order', ids)) {
      if (order['state'] !== 'draft' && order['state'] !== 'sent') {
        throw userError(`Some orders are not in a state requiring confirmation.\n${String(order['name'])}`);
      }
      const lines = this.search('sale.order.line', [['order_id', '=', order.id]]);
      if (lines.length === 0) throw userError('There are no order lines to confirm.');
      order['state'] = 'sale';
      this.touch(order);
      this.createDeliveryFor(order, lines);
    }
    return true;
  }

  actionCancel(ids: readonly number[]): true {
    for (const order of this.browse('sale.order', ids)) {
      order['state'] = 'cancel';
      this.touch(order);
    }
    return true;
  }

  buttonValidate(ids: readonly number[]): true {
    for (const picking of this.browse('stock.picking', ids)) {
      if (picking['state'] === 'done' || picking['state'] === 'cancel') {
        throw userError(`The picking ${String(picking['name'])} is already ${String(picking['state'])}.`);
      }
      picking['state'] = 'done';
      picking['date_done'] = toOdooDatetime(this.now());
      this.propagatePickingState(picking);
      this.touch(picking);
    }
    return true;
  }

  actionPost(ids: readonly number[]): true {
    for (const move of this.browse('account.move', ids)) {
      if (move['move_type'] === 'in_invoice' && !move['invoice_date']) {
        throw userError('The Bill/Refund date is required to validate this document.');
      }
      move['state'] = 'posted';
      this.touch(move);
      const n = this.nextSequence('BILL');
      move['name'] =
        `BILL/${String(move['invoice_date']).slice(0, 7).replace('-', '/')}/${String(n).padStart(4, '0')}`;
    }
    return true;
  }

  messagePost(modelName: string, ids: readonly number[], kwargs: Record<string, unknown>): number {
    const model = this.model(modelName);
    if (!model.mailThread)
      throw notFound(`The method 'message_post' does not exist on the model '${modelName}'`);
    const [record] = this.browse(modelName, ids);
    if (!record || ids.length !== 1) throw valueError(`Expected singleton: ${modelName}(${ids.join(', ')})`);
    const raw = typeof kwargs['body'] === 'string' ? kwargs['body'] : '';
    // A plain str body is escaped by mail.thread; only Markup (body_is_html) is kept as HTML.
    const body = kwargs['body_is_html'] === true ? raw : `<p>${escapeHtml(raw).replace(/\n/g, '<br>')}</p>`;
    return this.create('mail.message', {
      model: modelName,
      res_id: record.id,
      body,
      subject: typeof kwargs['subject'] === 'string' ? kwargs['subject'] : false,
      message_type: typeof kwargs['message_type'] === 'string' ? kwargs['message_type'] : 'notification',
      subtype_xmlid: typeof kwargs['subtype_xmlid'] === 'string' ? kwargs['subtype_xmlid'] : false,
      date: toOdooDatetime(this.now()),
    });
  }

  nameSearch(
    modelName: string,
    name: unknown,
    domain: unknown,
    operator: unknown,
    limit: unknown,
  ): Array<[number, string]> {
    const model = this.model(modelName);
    const recName = model.recName ?? 'name';
    const term = typeof name === 'string' ? name : '';
    const leaf = term === '' ? [] : [[recName, typeof operator === 'string' ? operator : 'ilike', term]];
    const base = Array.isArray(domain) ? domain : [];
    const ids = this.search(modelName, [...base, ...leaf], {
      limit: typeof limit === 'number' ? limit : 100,
    });
    return this.browse(modelName, ids).map((r) => [r.id, this.displayName(model, r)]);
  }

  fieldsGet(modelName: string): Record<string, Record<string, unknown>> {
    const model = this.model(modelName);
    return Object.fromEntries(
      Object.entries(model.fields).map(([name, def]) => [
        name,
        {
          type: def.type,
          string: name,
          required: def.required === true,
          readonly: def.computed === true,
          ...(def.relation ? { relation: def.relation } : {}),
          ...(def.selection ? { selection: def.selection.map((v) => [v, v]) } : {}),
        },
      ]),
    );
  }

  // ---- internals -------------------------------------------------------------------------------

  /** The model as this database's Odoo version has it. */
  model(name: string): SimModel {
    return simModel(name, this.serverMajor);
  }

  private table(model: string): Map<number, SimRecord> {
    const table = this.tables.get(model);
    if (!table) throw notFound(`the model '${model}' does not exist`);
    return table;
  }

  /**
   * Sets write_date to the clock with microseconds, distinct within one millisecond. Not monotonic
   * across the clock: Odoo stamps the transaction's start, so a late commit carries an older time.
   */
  private touch(record: SimRecord): string {
    const now = this.now();
    const millisecond = now.toISOString();
    this.sameMillisecond = millisecond === this.lastMillisecond ? this.sameMillisecond + 1 : 0;
    this.lastMillisecond = millisecond;
    const micros = now.getUTCMilliseconds() * 1000 + Math.min(this.sameMillisecond, 999);
    const stamp = `${toOdooDatetime(now)}.${String(micros).padStart(6, '0')}`;
    record['write_date'] = stamp;
    return stamp;
  }

  private nextSequence(key: string): number {
    const n = (this.sequences.get(key) ?? 0) + 1;
    this.sequences.set(key, n);
    return n;
  }

  private checkVals(model: SimModel, vals: unknown): Record<string, unknown> {
    if (typeof vals !== 'object' || vals === null || Array.isArray(vals)) {
      throw valueError(`Invalid values for ${model.name}: expected a dict, got ${JSON.stringify(vals)}`);
    }
    for (const field of Object.keys(vals)) {
      if (!(field in model.fields)) throw valueError(`Invalid field '${field}' on model '${model.name}'`);
    }
    return vals as Record<string, unknown>;
  }

  private convert(model: SimModel, field: string, def: SimField, value: unknown): unknown {
    const wrong = (): never => {
      throw valueError(`Wrong value for ${model.name}.${field}: ${JSON.stringify(value)}`);
    };
    if (value === false || value === null)
      return def.type === 'boolean' ? false : def.type === 'float' || def.type === 'integer' ? 0 : false;
    switch (def.type) {
      case 'char':
      case 'text':
      case 'html':
        return typeof value === 'string' ? value : wrong();
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value) ? value : wrong();
      case 'float': {
        // Python's float() accepts numeric strings, so Odoo does too.
        const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
        return Number.isFinite(n) ? n : wrong();
      }
      case 'boolean':
        return Boolean(value);
      case 'date':
        if (typeof value === 'string' && DATE.test(value)) return value;
        throw valueError(`time data ${JSON.stringify(value)} does not match format '%Y-%m-%d'`);
      case 'datetime':
        if (typeof value === 'string' && DATETIME.test(value)) return value;
        if (typeof value === 'string' && DATE.test(value)) return `${value} 00:00:00`;
        throw valueError(`time data ${JSON.stringify(value)} does not match format '%Y-%m-%d %H:%M:%S'`);
      case 'selection':
        return typeof value === 'string' && def.selection?.includes(value)
          ? value
          : (() => {
              throw valueError(`Wrong value for ${model.name}.${field}: ${JSON.stringify(value)}`);
            })();
      case 'many2one': {
        const id =
          typeof value === 'number'
            ? value
            : Array.isArray(value) && typeof value[0] === 'number'
              ? value[0]
              : NaN;
        if (!Number.isInteger(id)) return wrong();
        if (!this.table(def.relation!).has(id)) {
          throw validationError(
            `The operation cannot be completed: the record ${def.relation}(${id}) referenced by ${model.name}.${field} does not exist.`,
          );
        }
        return id;
      }
      default:
        return wrong();
    }
  }

  private applyX2many(model: SimModel, id: number, field: string, commands: unknown): void {
    const def = model.fields[field]!;
    const comodel = def.relation!;
    const inverse = def.inverse!;
    if (!Array.isArray(commands))
      throw valueError(`Wrong value for ${model.name}.${field}: ${JSON.stringify(commands)}`);
    for (const command of commands) {
      if (!Array.isArray(command)) throw valueError(`Invalid x2many command ${JSON.stringify(command)}`);
      const [code, target, vals] = command as [unknown, unknown, unknown];
      switch (code) {
        case 0:
          this.create(comodel, { ...(vals as Record<string, unknown>), [inverse]: id });
          break;
        case 1:
          this.write(comodel, [Number(target)], vals);
          break;
        case 2:
          this.unlink(comodel, [Number(target)]);
          break;
        case 3:
        case 4:
          this.write(comodel, [Number(target)], { [inverse]: code === 4 ? id : false });
          break;
        case 5:
          this.write(comodel, this.search(comodel, [[inverse, '=', id]]), { [inverse]: false });
          break;
        case 6: {
          this.write(comodel, this.search(comodel, [[inverse, '=', id]]), { [inverse]: false });
          this.write(comodel, (vals as number[]) ?? [], { [inverse]: id });
          break;
        }
        default:
          throw valueError(`Invalid x2many command ${JSON.stringify(command)}`);
      }
    }
  }

  private applyCreateDefaults(model: SimModel, record: SimRecord): void {
    const now = toOdooDatetime(this.now());
    switch (model.name) {
      case 'sale.order':
        if (record['name'] === 'New')
          record['name'] = `S${String(this.nextSequence('sale.order')).padStart(5, '0')}`;
        if (!record['date_order']) record['date_order'] = now;
        if (!record['partner_invoice_id']) record['partner_invoice_id'] = record['partner_id'];
        if (!record['partner_shipping_id']) record['partner_shipping_id'] = record['partner_id'];
        if (!record['currency_id']) record['currency_id'] = this.firstId('res.currency');
        break;
      case 'stock.picking': {
        const type =
          typeof record['picking_type_id'] === 'number'
            ? this.table('stock.picking.type').get(record['picking_type_id'])
            : undefined;
        if (type) {
          if (record['name'] === '/') {
            const code = String(type['sequence_code'] || 'PICK');
            record['name'] = `WH/${code}/${String(this.nextSequence(`picking:${code}`)).padStart(5, '0')}`;
          }
          if (!record['location_id']) record['location_id'] = type['default_location_src_id'];
          if (!record['location_dest_id']) record['location_dest_id'] = type['default_location_dest_id'];
        }
        if (!record['scheduled_date']) record['scheduled_date'] = now;
        break;
      }
      case 'product.product':
        if (!record['uom_id']) record['uom_id'] = this.unitsUomId();
        break;
      case 'sale.order.line':
        if (!record['product_uom']) record['product_uom'] = this.productUomId(record['product_id']);
        break;
      case 'stock.move': {
        if (!record['product_uom']) record['product_uom'] = this.productUomId(record['product_id']);
        const picking =
          typeof record['picking_id'] === 'number'
            ? this.table('stock.picking').get(record['picking_id'])
            : undefined;
        if (picking) {
          if (!record['location_id']) record['location_id'] = picking['location_id'];
          if (!record['location_dest_id']) record['location_dest_id'] = picking['location_dest_id'];
          if (record['state'] === 'draft') record['state'] = picking['state'];
          if (!record['origin']) record['origin'] = picking['origin'];
        }
        if (!record['name'] && typeof record['product_id'] === 'number') {
          record['name'] = String(this.table('product.product').get(record['product_id'])?.['name'] ?? '');
        }
        break;
      }
      case 'account.move':
        if (!record['currency_id']) record['currency_id'] = this.firstId('res.currency');
        break;
      default:
        break;
    }
  }

  /** `uom.product_uom_unit`, what a product is counted in unless told otherwise. */
  private unitsUomId(): number | false {
    const xmlId = [...this.table('ir.model.data').values()].find(
      (r) => r['module'] === 'uom' && r['name'] === 'product_uom_unit',
    );
    return typeof xmlId?.['res_id'] === 'number' ? xmlId['res_id'] : this.firstId('uom.uom');
  }

  private productUomId(productId: unknown): number | false {
    const product = typeof productId === 'number' ? this.table('product.product').get(productId) : undefined;
    return typeof product?.['uom_id'] === 'number' ? product['uom_id'] : false;
  }

  /** Odoo's constraint on moves and order lines: their unit is of the product's unit's category. */
  private checkUomCategory(modelName: string, record: Record<string, unknown>): void {
    if (modelName !== 'stock.move' && modelName !== 'sale.order.line') return;
    const own = this.table('uom.uom').get(Number(record['product_uom']));
    const product = this.table('uom.uom').get(Number(this.productUomId(record['product_id'])));
    if (own && product && own['category_id'] !== product['category_id']) {
      throw userError(
        modelName === 'stock.move'
          ? 'You cannot perform the move because the unit of measure has a different category as the product unit of measure.'
          : `The unit of measure ${String(own['name'])} defined on the order line doesn't belong to the same category as the unit of measure ${String(product['name'])} defined on the product. Please correct the unit of measure defined on the order line or on the product, they should belong to the same category.`,
      );
    }
  }

  /** `uom.uom._compute_quantity` (HALF-UP, to the target's rounding), for lines turned into moves. */
  private convertUom(quantity: number, fromId: unknown, toId: unknown): number {
    const from = this.table('uom.uom').get(Number(fromId));
    const to = this.table('uom.uom').get(Number(toId));
    if (!from || !to || from.id === to.id) return quantity;
    const amount = (quantity / Number(from['factor'])) * Number(to['factor']);
    const rounding = Number(to['rounding']) || 0.01;
    return Math.round(amount / rounding) * rounding;
  }

  private firstId(model: string): number | false {
    const first = this.table(model).keys().next();
    return first.done ? false : first.value;
  }

  private checkXmlIdUnique(record: SimRecord): void {
    const clash = [...this.table('ir.model.data').values()].some(
      (r) => r['module'] === record['module'] && r['name'] === record['name'],
    );
    // The unique index raises an IntegrityError, which the RPC layer turns into a ValidationError.
    if (clash) {
      throw validationError(
        `The operation cannot be completed: duplicate key value violates unique constraint "ir_model_data_module_name_uniq_index"\nKey (module, name)=(${String(record['module'])}, ${String(record['name'])}) already exists.`,
      );
    }
  }

  private createDeliveryFor(order: SimRecord, lineIds: number[]): void {
    const typeId = this.search('stock.picking.type', [['code', '=', 'outgoing']], { limit: 1 })[0];
    if (typeId === undefined) return;
    // Odoo counts the delivery in the product's unit (stock.propagate_uom off), converting the line's.
    const moves = this.browse('sale.order.line', lineIds).map((line) => {
      const uom = this.productUomId(line['product_id']);
      return [
        0,
        0,
        {
          product_id: line['product_id'],
          product_uom_qty: this.convertUom(Number(line['product_uom_qty']), line['product_uom'], uom),
          product_uom: uom,
          name: line['name'] || false,
        },
      ];
    });
    const pickingId = this.create('stock.picking', {
      picking_type_id: typeId,
      origin: order['name'],
      partner_id: order['partner_shipping_id'],
      sale_id: order.id,
      state: 'assigned',
      ...(order['commitment_date'] ? { scheduled_date: order['commitment_date'] } : {}),
    });
    this.write('stock.picking', [pickingId], { move_ids: moves });
  }

  private propagatePickingState(picking: SimRecord): void {
    for (const moveId of this.search('stock.move', [['picking_id', '=', picking.id]])) {
      const move = this.table('stock.move').get(moveId)!;
      move['state'] = picking['state'];
    }
  }

  private resolvePath(model: SimModel, record: SimRecord, path: string): DomainLeafValue {
    const [head, ...rest] = path.split('.');
    if (head === 'id') return { raw: record.id };
    // Domains compare the full microsecond value, in SQL, not the second-precision text read returns.
    if (head !== undefined && MAGIC_FIELDS.has(head)) return { raw: record[head] };
    const def = head === undefined ? undefined : model.fields[head];
    if (!def || head === undefined) throw valueError(`Invalid field ${model.name}.${path} in leaf`);
    const value = this.readField(model, record, head);
    if (def.type === 'many2one') {
      const id = Array.isArray(value) ? (value[0] as number) : false;
      if (rest.length > 0) {
        if (id === false) return { raw: false };
        const comodel = this.model(def.relation!);
        return this.resolvePath(comodel, this.table(comodel.name).get(id)!, rest.join('.'));
      }
      return { raw: id, ...(Array.isArray(value) ? { display: String(value[1]) } : {}) };
    }
    if (def.type === 'one2many' && rest.length > 0) {
      // `move_ids.product_id` style paths match when any related record matches; approximated by the first.
      const ids = value as number[];
      const comodel = this.model(def.relation!);
      const values = ids.map(
        (id) => this.resolvePath(comodel, this.table(comodel.name).get(id)!, rest.join('.')).raw,
      );
      return { raw: values };
    }
    return { raw: value };
  }

  private readField(model: SimModel, record: SimRecord, field: string): unknown {
    // Stored with microseconds (PostgreSQL timestamp), read back to the second, as Odoo does.
    if (MAGIC_FIELDS.has(field)) return String(record[field]).slice(0, 19);
    const def = model.fields[field]!;
    if (def.type === 'one2many') return this.search(def.relation!, [[def.inverse!, '=', record.id]]);
    if (def.computed) return this.compute(model, record, field);
    const value = record[field];
    if (def.type === 'many2one') {
      if (typeof value !== 'number') return false;
      const comodel = this.model(def.relation!);
      const target = this.table(comodel.name).get(value);
      return target ? [value, this.displayName(comodel, target)] : false;
    }
    return value ?? false;
  }

  private compute(model: SimModel, record: SimRecord, field: string): unknown {
    switch (`${model.name}.${field}`) {
      case 'sale.order.line.price_subtotal':
      case 'account.move.line.price_subtotal':
        return lineCents(record) / 100;
      case 'sale.order.amount_total':
        return this.sumCents('sale.order.line', 'order_id', record.id) / 100;
      case 'account.move.amount_total':
        return this.sumCents('account.move.line', 'move_id', record.id) / 100;
      case 'stock.picking.picking_type_code': {
        const type = this.table('stock.picking.type').get(record['picking_type_id'] as number);
        return type ? type['code'] : false;
      }
      case 'ir.model.data.complete_name':
        return `${String(record['module'])}.${String(record['name'])}`;
      default:
        return false;
    }
  }

  /** Totals in integer cents, so the simulator itself never drifts by a float sum. */
  private sumCents(lineModel: string, inverse: string, id: number): number {
    return this.search(lineModel, [[inverse, '=', id]])
      .map((lineId) => lineCents(this.table(lineModel).get(lineId)!))
      .reduce((a, b) => a + b, 0);
  }

  private displayName(model: SimModel, record: SimRecord): string {
    const key = model.recName ?? 'name';
    const value =
      key in model.fields && model.fields[key]!.computed ? this.compute(model, record, key) : record[key];
    return typeof value === 'string' && value !== '' ? value : `${model.name},${record.id}`;
  }

  private sort(rows: SimRecord[], order: string): SimRecord[] {
    const keys = order
      .split(',')
      .map((part) => part.trim().split(/\s+/))
      .filter(([field]) => field)
      .map(([field, direction]) => ({ field: field!, desc: direction?.toLowerCase() === 'desc' }));
    return [...rows].sort((a, b) => {
      for (const { field, desc } of keys) {
        const x = (field === 'id' ? a.id : a[field]) as string | number;
        const y = (field === 'id' ? b.id : b[field]) as string | number;
        if (x === y) continue;
        return (x < y ? -1 : 1) * (desc ? -1 : 1);
      }
      return a.id - b.id;
    });
  }
}

function lineCents(line: Record<string, unknown>): number {
  const quantity =
    typeof line['quantity'] === 'number' ? line['quantity'] : Number(line['product_uom_qty'] ?? 1);
  return Math.round(Number(line['price_unit'] ?? 0) * quantity * 100);
}

export function toOdooDatetime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
