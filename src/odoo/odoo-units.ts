/**
 * Canonical quantities in Odoo's units of measure. A line's unit (as the partner sent it, or
 * normalized) is mapped to an Odoo `uom.uom`: the tenant's `odoo.delivery.units` first (unit code →
 * the Odoo unit's name), then the units Odoo installs, found by their xml ids. A count converts
 * only within one category, with Odoo's own arithmetic (`uom.uom._compute_quantity`). A unit that
 * maps to nothing, or to another category than the product's, is a business error naming the line:
 * a wrong count is never written.
 */
import type { OdooClient } from './odoo-client.js';
import type { DeliveryContext } from './odoo-delivery-types.js';
import { OdooError } from './odoo-errors.js';
import { readRecords, searchRead, type OdooRecord } from './odoo-records.js';
import { many2oneId } from './odoo-values.js';

export interface OdooUnit {
  readonly id: number;
  readonly name: string;
  /** Absent where units have no category (Odoo 19): then no conversion is checked, none is made. */
  readonly categoryId?: number;
  readonly categoryName?: string;
  /** How many of this unit make one reference unit of its category. */
  readonly factor: number;
  readonly rounding: number;
}

/** The unit fields this Odoo has: they moved between versions, so they are asked, not assumed. */
export interface UnitFields {
  /** The many2one to uom.uom on sale.order.line (`product_uom` up to 18.0). */
  readonly orderLine?: string;
  /** The many2one to uom.uom on stock.move. */
  readonly move?: string;
  /** Whether units have categories (`uom.uom.category_id`, up to 18.0). */
  readonly categories: boolean;
}

type FieldsOf = Readonly<Record<string, { type?: string; relation?: string }>>;

const fieldsAsked = new WeakMap<OdooClient, Map<string, Promise<FieldsOf>>>();

/**
 * A model's fields, asked once per connection and model (`fields_get`), only for the model a
 * delivery needs; a model this Odoo does not have (no Sales app) has none. A failed answer is
 * asked again next time.
 */
function fieldsOf(client: OdooClient, model: string): Promise<FieldsOf> {
  let asked = fieldsAsked.get(client);
  if (!asked) fieldsAsked.set(client, (asked = new Map()));
  let known = asked.get(model);
  if (!known) {
    known = client
      .call<FieldsOf>(model, 'fields_get', { attributes: ['type', 'relation'] })
      .catch((error: unknown) => {
        if (isMissingModel(error)) return {};
        throw error;
      });
    asked.set(model, known);
    known.catch(() => asked.delete(model));
  }
  return known;
}

/** How Odoo answers a call on a model it does not have: NotFound (JSON-2), else KeyError or UserError. */
function isMissingModel(error: unknown): boolean {
  return (
    error instanceof OdooError &&
    error.kind === 'business' &&
    ['werkzeug.exceptions.NotFound', 'builtins.KeyError', 'odoo.exceptions.UserError'].includes(
      error.odooName ?? '',
    )
  );
}

function unitFieldIn(fields: FieldsOf): string | undefined {
  return ['product_uom', 'product_uom_id'].find(
    (name) => fields[name]?.type === 'many2one' && fields[name]?.relation === 'uom.uom',
  );
}

/** The many2one to uom.uom on sale.order.line (`product_uom` up to 18.0), if Sales is there. */
export async function orderLineUnitField(client: OdooClient): Promise<string | undefined> {
  return unitFieldIn(await fieldsOf(client, 'sale.order.line'));
}

/** The many2one to uom.uom on stock.move. */
export async function moveUnitField(client: OdooClient): Promise<string | undefined> {
  return unitFieldIn(await fieldsOf(client, 'stock.move'));
}

/** Whether units have categories (`uom.uom.category_id`, up to 18.0). */
export async function unitsHaveCategories(client: OdooClient): Promise<boolean> {
  const uom = await fieldsOf(client, 'uom.uom');
  return uom['category_id'] !== undefined && uom['factor'] !== undefined;
}

/** All the unit fields at once (asks every model; a delivery asks only the one it needs). */
export async function unitFields(client: OdooClient): Promise<UnitFields> {
  const [orderLine, move, categories] = await Promise.all([
    orderLineUnitField(client),
    moveUnitField(client),
    unitsHaveCategories(client),
  ]);
  return { ...(orderLine ? { orderLine } : {}), ...(move ? { move } : {}), categories };
}

/** A document line as errors name it. */
export interface UnitLine {
  /** `line 2`. */
  readonly label: string;
  readonly sku: string;
  readonly quantity: { readonly value: number; readonly unit: string; readonly unitNormalized?: string };
}

/**
 * Unit codes partners send (X12 355, UN/ECE Rec. 20, plain words) → the xml id (module `uom`) of
 * the unit Odoo installs. A case, box or pallet has no standard size: the tenant names its unit.
 */
const STANDARD_UNITS: Readonly<Record<string, string>> = {
  ...codes('product_uom_unit', ['EA', 'EACH', 'UN', 'UNIT', 'UNITS', 'PC', 'PCE', 'PCS', 'C62', 'H87']),
  ...codes('product_uom_dozen', ['DZ', 'DZN', 'DOZEN']),
  ...codes('product_uom_kgm', ['KG', 'KGM', 'KGS']),
  ...codes('product_uom_gram', ['G', 'GR', 'GRM']),
  ...codes('product_uom_lb', ['LB', 'LBS', 'LBR']),
  ...codes('product_uom_oz', ['OZ', 'ONZ']),
  // Not `L`: in X12 element 188 (weight unit code) it means pounds, so a bare L is not read as litres.
  ...codes('product_uom_litre', ['LT', 'LTR']),
  ...codes('product_uom_meter', ['M', 'MR', 'MTR']),
};

/** The other way, for what Crossdock sends partners: the X12 code of each standard unit. */
const STANDARD_CODES: Readonly<Record<string, string>> = {
  product_uom_unit: 'EA',
  product_uom_dozen: 'DZ',
  product_uom_kgm: 'KG',
  product_uom_gram: 'GR',
  product_uom_lb: 'LB',
  product_uom_oz: 'OZ',
  product_uom_litre: 'LT',
  product_uom_meter: 'MR',
};

function codes(xmlId: string, list: readonly string[]): Record<string, string> {
  return Object.fromEntries(list.map((code) => [code, xmlId]));
}

function describe(line: UnitLine): string {
  return `${line.label} (${line.sku})`;
}

function amount(line: UnitLine): string {
  return `${line.quantity.value} ${line.quantity.unit}`;
}

/** Where a line's unit is to be found in Odoo. */
type UnitKey = { readonly by: 'name' | 'xmlId'; readonly value: string; readonly code: string };

/**
 * The tenant's table speaks its partners' codes, so it is asked for the unit as sent first; the
 * standard table for the normalized unit first (the EDI maps' reading of an ambiguous code wins).
 */
function keyOf(line: UnitLine, configured: Readonly<Record<string, string>>): UnitKey | undefined {
  const code = (c: string | undefined): string[] =>
    typeof c === 'string' && c.trim() !== '' ? [c.trim().toUpperCase()] : [];
  const sent = code(line.quantity.unit);
  const normalized = code(line.quantity.unitNormalized);
  const own = [...sent, ...normalized].find((c) => configured[c] !== undefined);
  if (own) return { by: 'name', value: configured[own]!, code: own };
  const standard = [...normalized, ...sent].find((c) => STANDARD_UNITS[c] !== undefined);
  return standard ? { by: 'xmlId', value: STANDARD_UNITS[standard]!, code: standard } : undefined;
}

/** The Odoo unit of each line (same order), or a business error naming every line that has none. */
export async function lineUnits(ctx: DeliveryContext, lines: readonly UnitLine[]): Promise<OdooUnit[]> {
  const { client } = ctx;
  const keys = lines.map((line) => keyOf(line, ctx.options.units ?? {}));
  const unmapped = lines.filter((_, i) => keys[i] === undefined);
  if (unmapped.length > 0) {
    throw new OdooError(
      'business',
      `${unmapped.map((l) => `${describe(l)}: no Odoo unit of measure for unit ${JSON.stringify(l.quantity.unit)}`).join('; ')}; ` +
        `name the Odoo unit under odoo.delivery.units in the tenant file (e.g. ${unmapped[0]!.quantity.unit.trim().toUpperCase()}: <name of the unit in Odoo>)`,
    );
  }
  const names = [...new Set(keys.filter((k) => k!.by === 'name').map((k) => k!.value))];
  const xmlIds = [...new Set(keys.filter((k) => k!.by === 'xmlId').map((k) => k!.value))];
  const [named, standard] = await Promise.all([
    names.length > 0 ? searchRead(client, 'uom.uom', [['name', 'in', names]], ['name']) : [],
    xmlIds.length > 0
      ? searchRead(
          client,
          'ir.model.data',
          [
            ['module', '=', 'uom'],
            ['model', '=', 'uom.uom'],
            ['name', 'in', xmlIds],
          ],
          ['name', 'res_id'],
        )
      : [],
  ]);
  const idsOf = new Map<string, number[]>();
  const found = (key: string, id: number) => idsOf.set(key, [...(idsOf.get(key) ?? []), id]);
  for (const row of named) found(`name:${String(row['name'])}`, row.id);
  for (const row of standard) found(`xmlId:${String(row['name'])}`, Number(row['res_id']));
  const units = await readUnits(client, [...idsOf.values()].flat());
  return lines.map((line, i) => {
    const key = keys[i]!;
    const ids = idsOf.get(`${key.by}:${key.value}`) ?? [];
    // Unit names are unique only within a category: which one the tenant meant is not guessed.
    if (ids.length > 1) {
      throw new OdooError(
        'business',
        `${describe(line)}: unit ${JSON.stringify(line.quantity.unit)} is the Odoo unit ${JSON.stringify(key.value)} in the tenant file (odoo.delivery.units), ` +
          `but Odoo has ${ids.length} active units of that name (${ids.map((id) => describeUnit(units.get(id), id)).join(', ')}); give the one meant a name of its own in Odoo`,
      );
    }
    const unit = units.get(ids[0] ?? -1);
    if (unit) return unit;
    throw new OdooError(
      'business',
      key.by === 'name'
        ? `${describe(line)}: unit ${JSON.stringify(line.quantity.unit)} is the Odoo unit ${JSON.stringify(key.value)} in the tenant file (odoo.delivery.units), but Odoo has no active unit of measure of that name`
        : `${describe(line)}: unit ${JSON.stringify(line.quantity.unit)} is Odoo's standard unit uom.${key.value}, which this Odoo does not have; name the unit to use under odoo.delivery.units in the tenant file`,
    );
  });
}

function describeUnit(unit: OdooUnit | undefined, id: number): string {
  return unit?.categoryName !== undefined ? `id ${id}, ${unit.categoryName}` : `id ${id}`;
}

/** `uom.uom` records by id. */
export async function readUnits(client: OdooClient, ids: readonly number[]): Promise<Map<number, OdooUnit>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const categories = await unitsHaveCategories(client);
  const rows = await readRecords(
    client,
    'uom.uom',
    wanted,
    categories ? ['name', 'category_id', 'factor', 'rounding'] : ['name'],
  );
  return new Map(
    rows.map((row) => {
      const category = row['category_id'];
      return [
        row.id,
        {
          id: row.id,
          name: String(row['name']),
          ...(categories
            ? {
                categoryId: many2oneId(category) ?? -1,
                categoryName: Array.isArray(category) ? String(category[1]) : '?',
              }
            : {}),
          factor: categories ? Number(row['factor']) : 1,
          rounding: categories ? Number(row['rounding']) : 0,
        },
      ];
    }),
  );
}

/** Each move's unit (by move id): its own where Odoo has the field, else its product's. */
export async function moveUnits(
  client: OdooClient,
  moveIds: readonly number[],
): Promise<Map<number, OdooUnit>> {
  if (moveIds.length === 0) return new Map();
  const field = await moveUnitField(client);
  const moves = await readRecords(client, 'stock.move', moveIds, [field ?? 'product_id']);
  let unitIdOf: (move: OdooRecord) => number | undefined = (m) => many2oneId(m[field!]);
  if (!field) {
    const productIds = moves
      .map((m) => many2oneId(m['product_id']))
      .filter((id): id is number => id !== undefined);
    const products = await readRecords(client, 'product.product', [...new Set(productIds)], ['uom_id']);
    const uomOf = new Map(products.map((p) => [p.id, many2oneId(p['uom_id'])]));
    unitIdOf = (m) => uomOf.get(many2oneId(m['product_id']) ?? -1);
  }
  const units = await readUnits(
    client,
    moves.map(unitIdOf).filter((id): id is number => id !== undefined),
  );
  return new Map(
    moves.flatMap((m) => {
      const unit = units.get(unitIdOf(m) ?? -1);
      return unit ? [[m.id, unit] as const] : [];
    }),
  );
}

/** Refuses a count Odoo could not convert: `unit` and `target` of different categories. */
export function requireConvertible(line: UnitLine, unit: OdooUnit, target: OdooUnit, what: string): void {
  if (unit.id === target.id) return;
  if (unit.categoryId === undefined || target.categoryId === undefined) {
    throw new OdooError(
      'business',
      `${describe(line)}: ${amount(line)} is in ${unit.name}, not in ${target.name}, ${what}; ` +
        `this Odoo's units have no categories for Crossdock to check a conversion by, so the quantity must come in ${target.name}`,
    );
  }
  if (unit.categoryId === target.categoryId) return;
  throw new OdooError(
    'business',
    `${describe(line)}: ${amount(line)} cannot be counted in ${target.name}, ${what}: ` +
      `${unit.name} is a unit of ${unit.categoryName} and ${target.name} of ${target.categoryName}, which Odoo does not convert`,
  );
}

/**
 * The line's quantity counted in `target`, as Odoo records it: on the target's rounding steps.
 * A count that lands between steps is taken to the nearest step (half up, as Odoo's stock moves
 * round) only when that step, counted back in the line's unit, is still the quantity the partner
 * wrote to the precision they wrote it (1 LB is 0.45 kg: 0.992 LB, which is 1 LB). Otherwise it is
 * refused rather than recorded as a quantity that was not shipped: 13 EA is no number of cases of
 * 12, and 5 EA is none.
 */
export function countIn(line: UnitLine, unit: OdooUnit, target: OdooUnit, what: string): number {
  requireConvertible(line, unit, target, what);
  if (unit.id === target.id) return line.quantity.value;
  const exact = (line.quantity.value / unit.factor) * target.factor;
  const count =
    onRoundingStep(exact, target.rounding) ?? nearestStepWithinPrecision(line, unit, target, exact);
  if (count !== undefined) return count;
  throw new OdooError(
    'business',
    `${describe(line)}: ${amount(line)} is ${approximately(exact, target.rounding)} ${target.name}, ` +
      `which Odoo cannot record (rounding ${target.rounding})`,
  );
}

/** The nearest rounding step to `exact` when it reads back as the line's quantity; else undefined. */
function nearestStepWithinPrecision(
  line: UnitLine,
  unit: OdooUnit,
  target: OdooUnit,
  exact: number,
): number | undefined {
  if (!(target.rounding > 0)) return undefined;
  const nearest = cleanFloat(Math.floor(exact / target.rounding + 0.5) * target.rounding);
  const readBack = (nearest / target.factor) * unit.factor;
  const halfLastDigit = 0.5 * 10 ** -decimalsWritten(line.quantity.value);
  return Math.abs(readBack - line.quantity.value) < halfLastDigit * (1 - 1e-9) ? nearest : undefined;
}

/** How many decimals a quantity was written with (2.50 and 2.5 alike: JSON keeps no trailing zero). */
function decimalsWritten(value: number): number {
  const [digits = '', exponent] = String(Math.abs(value)).split('e');
  const fraction = digits.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/**
 * `value` as a whole number of `rounding` steps, forgiving only the last bits of a float
 * (24.000000000000004 is 24; 0.7 is no number of 0.25 steps); `undefined` when it is between steps.
 */
export function onRoundingStep(value: number, rounding: number): number | undefined {
  if (!(rounding > 0)) return cleanFloat(value);
  const steps = value / rounding;
  const whole = Math.round(steps);
  if (Math.abs(steps - whole) > 1e-9 * Math.max(1, Math.abs(whole))) return undefined;
  return cleanFloat(whole * rounding);
}

/** A sum or product of quantities without its float noise (0.1 + 0.2 is 0.3). */
export function cleanFloat(value: number): number {
  return Number(value.toPrecision(15));
}

/** A count between steps, with enough decimals to show it is (13 EA in cases of 12: 1.083). */
function approximately(value: number, rounding: number): string {
  const decimals = Math.max(0, Math.ceil(-Math.log10(rounding))) + 3;
  const shown = Number(value.toFixed(Math.min(decimals, 20)));
  return onRoundingStep(shown, rounding) === undefined ? String(shown) : String(cleanFloat(value));
}

/**
 * The Odoo unit each line is written in on a new record (an order line, a return move): the line's
 * own, which Odoo converts, once it is known to be of its product's category. `undefined` where it
 * is the product's own unit, so the record is written as before units were considered.
 */
export async function unitsForProducts(
  ctx: DeliveryContext,
  lines: readonly UnitLine[],
  products: ReadonlyMap<string, number>,
): Promise<Array<number | undefined>> {
  const { client } = ctx;
  const [units, rows] = await Promise.all([
    lineUnits(ctx, lines),
    readRecords(client, 'product.product', [...new Set(products.values())], ['uom_id']),
  ]);
  const productUnits = await readUnits(
    client,
    rows.map((r) => many2oneId(r['uom_id'])).filter((id): id is number => id !== undefined),
  );
  const unitOf = new Map(rows.map((r) => [r.id, productUnits.get(many2oneId(r['uom_id']) ?? -1)]));
  return lines.map((line, index) => {
    const unit = units[index]!;
    const target = unitOf.get(products.get(line.sku) ?? -1);
    if (!target) return unit.id;
    requireConvertible(line, unit, target, `the unit of ${line.sku} in Odoo`);
    return unit.id === target.id ? undefined : unit.id;
  });
}

/**
 * The unit code partners read for each Odoo unit: the tenant's own code for it (odoo.delivery.units),
 * else the standard unit's. A unit with neither, or with several tenant codes none of which alone
 * fits X12 (at most 2 characters), is a business error when a line is in it: an Odoo unit name
 * ("Case of 12") is no unit code, and a made-up EA would be a wrong count.
 */
export async function unitCodes(
  client: OdooClient,
  wanted: Iterable<OdooUnit>,
  configured: Readonly<Record<string, string>> = {},
): Promise<(unit: OdooUnit) => string> {
  const units = new Map([...wanted].map((unit) => [unit.id, unit]));
  const xmlIds =
    units.size === 0
      ? []
      : await searchRead(
          client,
          'ir.model.data',
          [
            ['module', '=', 'uom'],
            ['model', '=', 'uom.uom'],
            ['res_id', 'in', [...units.keys()]],
          ],
          ['name', 'res_id'],
        );
  const standard = new Map(xmlIds.map((row) => [Number(row['res_id']), STANDARD_CODES[String(row['name'])]]));
  const own = new Map<string, string[]>();
  for (const [code, name] of Object.entries(configured)) own.set(name, [...(own.get(name) ?? []), code]);
  return (unit) => {
    const codes = own.get(unit.name) ?? [];
    const fitting = codes.filter((code) => code.length <= X12_UNIT_CODE_LENGTH);
    if (codes.length === 1) return codes[0]!;
    if (fitting.length === 1) return fitting[0]!;
    if (codes.length > 1) {
      throw new OdooError(
        'business',
        `the Odoo unit ${JSON.stringify(unit.name)} has several codes under odoo.delivery.units (${codes.join(', ')}) and ` +
          `${fitting.length === 0 ? 'none' : 'more than one'} of at most ${X12_UNIT_CODE_LENGTH} characters for X12; keep one`,
      );
    }
    const code = standard.get(unit.id);
    if (code) return code;
    throw new OdooError(
      'business',
      `the Odoo unit ${JSON.stringify(unit.name)} has no unit code for partners: map ${JSON.stringify(unit.name)} under ` +
        `odoo.delivery.units (a code of at most ${X12_UNIT_CODE_LENGTH} characters for X12, e.g. CA: ${unit.name})`,
    );
  };
}

/** X12 element 355 (unit or basis for measurement code) is two characters. */
const X12_UNIT_CODE_LENGTH = 2;

/** The unit a new line is written in: nothing when it is its product's own (Odoo's default). */
export function unitValue(
  field: string | undefined,
  unitId: number | undefined,
  model: string,
): Record<string, number> {
  if (unitId === undefined) return {};
  if (!field)
    throw new OdooError('business', `${model} has no unit of measure field in this Odoo to write a unit in`);
  return { [field]: unitId };
}
