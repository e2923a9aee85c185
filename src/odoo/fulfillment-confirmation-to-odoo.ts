/**
 * FulfillmentConfirmation (a 3PL shipped an order) → the outgoing stock.picking of that order:
 * shipped quantities on its moves (`quantity` + `picked` on 17.0+, `quantity_done` before),
 * `carrier_tracking_ref`, and a chatter note. Validating the picking stays a decision in Odoo.
 */
import type { FulfillmentConfirmation } from '../canonical/fulfillment-confirmation.schema.js';
import { OdooError } from './odoo-errors.js';
import type { DeliveredRecord, DeliveryContext, OdooDeliveryResult } from './odoo-delivery-types.js';
import {
  bindExternalId,
  completeName,
  externalIdName,
  resolveExternalId,
  resolveExternalIds,
  type ExternalIdRef,
} from './odoo-external-ids.js';
import { PICKING_FIELDS, mergeReferences } from './odoo-lookups.js';
import { postNoteOnce } from './odoo-notes.js';
import { exclusively, pickingLockKey } from './odoo-picking-lock.js';
import { changedValues, readRecords, searchRead, writeRecords, type OdooRecord } from './odoo-records.js';
import { cleanFloat, countIn, lineUnits, moveUnits, type UnitLine } from './odoo-units.js';
import { charValue, many2oneId } from './odoo-values.js';

export async function deliverFulfillmentConfirmation(
  ctx: DeliveryContext,
  confirmation: FulfillmentConfirmation,
): Promise<OdooDeliveryResult> {
  const { client } = ctx;
  const ref = {
    module: ctx.module,
    name: externalIdName('fulfillment', confirmation.orderNumber, confirmation.shipmentId),
  };
  // Another shipment of the order adds to the same moves: its read-add-write and this one's must
  // not interleave, so they run one after the other, locked on the picking (odoo-picking-lock.ts).
  const pickingId =
    (await resolveExternalId(client, ref))?.resId ??
    (await outgoingPickingFor(ctx, confirmation.orderNumber)).id;
  return exclusively(ctx, [pickingLockKey(ctx, pickingId)], () =>
    applyConfirmation(ctx, confirmation, ref, pickingId),
  );
}

/** Everything read here is read under the picking's lock: no other delivery changes it meanwhile. */
async function applyConfirmation(
  ctx: DeliveryContext,
  confirmation: FulfillmentConfirmation,
  ref: ExternalIdRef,
  pickingId: number,
): Promise<OdooDeliveryResult> {
  const { client } = ctx;
  const externalId = completeName(ref);
  // Read again: a delivery of this same confirmation may have finished while this one waited.
  const known = await resolveExternalId(client, ref);
  if (known && known.resId !== pickingId) {
    throw new OdooError('retryable', `${externalId} was bound to another delivery while this one waited`);
  }
  const picking = (await readRecords(client, 'stock.picking', [pickingId], PICKING_FIELDS))[0];
  if (!picking) throw new OdooError('business', `the delivery bound to ${externalId} is gone from Odoo`);
  const done = picking['state'] === 'done';

  const flags: string[] = [];
  if (done) flags.push('picking_already_done');
  const marker = `[crossdock ${externalId}]`;
  const tracking =
    confirmation.trackingNumbers.length > 0
      ? mergeReferences(picking['carrier_tracking_ref'], confirmation.trackingNumbers.join(', '))
      : '';
  const changes = tracking ? changedValues(picking, { carrier_tracking_ref: tracking }) : {};

  // Once bound, this confirmation has been counted: a redelivery changes nothing.
  let records: DeliveredRecord[] = [];
  let noted = false;
  if (!known) {
    // Another shipment's attempt cut after its note is counted first: this one then adds to it.
    const finished = done ? undefined : await finishCutShipments(ctx, picking.id, externalId);
    // The note is the ledger: it is posted before the quantities are written and says what each
    // becomes and was, so an attempt cut anywhere after it is finished with the very same numbers,
    // and a second shipment of the order adds to the first instead of replacing it.
    const ledger = await ledgerNote(ctx, picking.id, marker);
    const plan = done ? [] : (ledger ?? (await planQuantities(ctx, picking, confirmation)));
    // With a ledger note already there, this only binds it (the marker finds it).
    noted = (
      await postNoteOnce(
        client,
        ctx.module,
        'stock.picking',
        picking.id,
        marker,
        noteFor(confirmation, plan, marker),
      )
    ).posted;
    try {
      const written = await writeQuantities(ctx, plan);
      records = [...(finished?.records ?? []), ...written.records];
      flags.push(...(finished?.flags ?? []));
      if (written.changedInOdoo) flags.push('quantities_changed_in_odoo');
      await writeRecords(client, 'stock.picking', [picking.id], changes);
      await bindExternalId(client, ref, 'stock.picking', picking.id);
    } catch (error) {
      // A failure no retry mends dead-letters this confirmation: a later shipment must not count
      // its ledger note for it.
      if (error instanceof OdooError && error.kind === 'business') {
        await abandonLedger(ctx, picking.id, externalId);
      }
      throw error;
    }
  } else {
    await writeRecords(client, 'stock.picking', [picking.id], changes);
  }
  const changed = noted || Object.keys(changes).length > 0 || records.some((r) => r.action === 'updated');
  const action = changed ? 'updated' : 'skipped';
  return {
    model: 'stock.picking',
    id: picking.id,
    externalId,
    action,
    records: [{ model: 'stock.picking', id: picking.id, action }, ...records],
    flags,
  };
}

interface PlannedMove {
  readonly moveId: number;
  /** The move's counted quantity the plan started from (absent in notes written before it was kept). */
  readonly from?: number;
  /** The move's quantity once this shipment is counted. */
  readonly quantity: number;
}

const LEDGER_LINE = 'Quantities after this shipment:';
/** Marks the note saying a confirmation's ledger was set aside (its delivery failed for good). */
const ABANDONED = 'crossdock abandoned';

/** The quantities this confirmation's own note (posted by an earlier, cut attempt) recorded. */
async function ledgerNote(
  ctx: DeliveryContext,
  pickingId: number,
  marker: string,
): Promise<PlannedMove[] | undefined> {
  const [note] = await searchRead(
    ctx.client,
    'mail.message',
    [
      ['model', '=', 'stock.picking'],
      ['res_id', '=', pickingId],
      ['body', 'ilike', marker],
    ],
    ['body'],
    { limit: 1 },
  );
  return note ? parseLedger(String(note['body'] ?? '')) : undefined;
}

function parseLedger(body: string): PlannedMove[] {
  const at = body.indexOf(LEDGER_LINE);
  if (at < 0) return [];
  const number = String.raw`(\d+(?:\.\d+)?(?:e-?\d+)?)`;
  const entry = new RegExp(String.raw`move (\d+) = ${number}(?: \(was ${number}\))?`, 'g');
  return [...body.slice(at).matchAll(entry)].map((m) => ({
    moveId: Number(m[1]),
    quantity: Number(m[2]),
    ...(m[3] !== undefined ? { from: Number(m[3]) } : {}),
  }));
}

/**
 * Confirmations of this delivery whose attempt was cut after its ledger note and that are not bound
 * yet: their quantities are finished (where not already written) and they are bound, so their own
 * retry changes nothing and the shipment being delivered now counts on top of them.
 */
async function finishCutShipments(
  ctx: DeliveryContext,
  pickingId: number,
  externalId: string,
): Promise<FinishedShipments> {
  const notes = await searchRead(
    ctx.client,
    'mail.message',
    [
      ['model', '=', 'stock.picking'],
      ['res_id', '=', pickingId],
      ['body', 'ilike', LEDGER_LINE],
    ],
    ['body'],
    { order: 'id' },
  );
  const abandoned = new Set(
    (
      await searchRead(
        ctx.client,
        'mail.message',
        [
          ['model', '=', 'stock.picking'],
          ['res_id', '=', pickingId],
          ['body', 'ilike', `[${ABANDONED} `],
        ],
        ['body'],
      )
    ).flatMap((note) => {
      const found = new RegExp(String.raw`\[${ABANDONED} ([a-z0-9_]+\.fulfillment_[a-z0-9_]+)\]`).exec(
        String(note['body'] ?? ''),
      );
      return found ? [found[1]!] : [];
    }),
  );
  const cut = notes.flatMap((note) => {
    const body = String(note['body'] ?? '');
    const marker = /\[crossdock ([a-z0-9_]+)\.(fulfillment_[a-z0-9_]+)\]/.exec(body);
    if (!marker || marker[1] !== ctx.module || `${marker[1]}.${marker[2]}` === externalId) return [];
    if (abandoned.has(`${marker[1]}.${marker[2]}`)) return [];
    return [{ ref: { module: marker[1], name: marker[2]! }, plan: parseLedger(body) }];
  });
  if (cut.length === 0) return { records: [], flags: [] };
  const bound = new Set(
    (
      await resolveExternalIds(
        ctx.client,
        cut.map((c) => c.ref),
      )
    ).map((r) => r.name),
  );
  const finished: FinishedShipments = { records: [], flags: [] };
  for (const { ref, plan } of cut.filter((c) => !bound.has(c.ref.name))) {
    const written = await writeQuantities(ctx, plan);
    finished.records.push(...written.records);
    // The change in Odoo is the cut confirmation's to review, not this shipment's.
    if (written.changedInOdoo) finished.flags.push(`quantities_changed_in_odoo:${completeName(ref)}`);
    await bindExternalId(ctx.client, ref, 'stock.picking', pickingId);
  }
  return finished;
}

interface FinishedShipments {
  readonly records: DeliveredRecord[];
  /** `quantities_changed_in_odoo:<external id of the cut confirmation>` for each one left as Odoo has it. */
  readonly flags: string[];
}

/** Marks a confirmation's ledger note as not to be finished by another shipment. */
async function abandonLedger(ctx: DeliveryContext, pickingId: number, externalId: string): Promise<void> {
  const marker = `[${ABANDONED} ${externalId}]`;
  await postNoteOnce(
    ctx.client,
    ctx.module,
    'stock.picking',
    pickingId,
    marker,
    `The warehouse shipment of ${externalId} could not be recorded and was set aside for review; its quantities above are not counted.\n${marker}`,
  );
}

/** The order's delivery: by picking origin/name (the Odoo order name) or the customer's order ref. */
async function outgoingPickingFor(ctx: DeliveryContext, orderNumber: string): Promise<OdooRecord> {
  const rows = await searchRead(
    ctx.client,
    'stock.picking',
    [
      ['picking_type_code', '=', 'outgoing'],
      ['state', '!=', 'cancel'],
      '|',
      '|',
      '|',
      ['origin', '=', orderNumber],
      ['name', '=', orderNumber],
      ['sale_id.name', '=', orderNumber],
      ['sale_id.client_order_ref', '=', orderNumber],
    ],
    PICKING_FIELDS,
    { order: 'id' },
  );
  // An order may have a done delivery and an open backorder: the open one takes the quantities.
  const open = rows.find((p) => p['state'] !== 'done') ?? rows[0];
  if (!open)
    throw new OdooError(
      'business',
      `no outgoing stock.picking in Odoo for order ${JSON.stringify(orderNumber)}`,
    );
  return open;
}

/** What each move's quantity becomes: what earlier shipments of the order picked, plus this one. */
async function planQuantities(
  ctx: DeliveryContext,
  picking: OdooRecord,
  confirmation: FulfillmentConfirmation,
): Promise<PlannedMove[]> {
  const { client } = ctx;
  const field = ctx.options.moveQuantityField ?? 'quantity';
  const moveIds = Array.isArray(picking['move_ids']) ? (picking['move_ids'] as number[]) : [];
  const moves = await readRecords(client, 'stock.move', moveIds, [
    'product_id',
    field,
    'state',
    ...(field === 'quantity' ? ['picked'] : []),
  ]);
  const productIds = [
    ...new Set(moves.map((m) => many2oneId(m['product_id'])).filter((id): id is number => id !== undefined)),
  ];
  const products = await readRecords(client, 'product.product', productIds, ['default_code']);
  const skuOf = new Map(products.map((p) => [p.id, charValue(p['default_code'])]));

  const unknown = [...new Set(confirmation.lines.map((l) => l.sku))].filter(
    (sku) => !moves.some((m) => skuOf.get(many2oneId(m['product_id']) ?? -1) === sku),
  );
  if (unknown.length > 0) {
    throw new OdooError(
      'business',
      `delivery ${String(picking['name'])} has no move for ${unknown.map((s) => JSON.stringify(s)).join(', ')}`,
    );
  }
  // Each line is counted in its move's unit: 2 cases of a product Odoo counts in units are 24 units.
  const lines: UnitLine[] = confirmation.lines.map((l, index) => ({
    label: `line ${l.lineNumber ?? index + 1}`,
    sku: l.sku,
    quantity: l.quantityShipped,
  }));
  const [units, unitOfMove] = await Promise.all([lineUnits(ctx, lines), moveUnits(client, moveIds)]);
  const shipped = new Map<number, number>();
  const open = new Map<number, OdooRecord>();
  for (const [index, line] of lines.entries()) {
    // Several moves for one product: the first open one carries the shipped quantity.
    const move = moves.find(
      (m) =>
        skuOf.get(many2oneId(m['product_id']) ?? -1) === line.sku &&
        m['state'] !== 'done' &&
        m['state'] !== 'cancel',
    );
    if (!move) continue;
    const moveUnit = unitOfMove.get(move.id);
    if (!moveUnit) throw new OdooError('business', `move ${move.id} of ${line.sku} has no unit of measure`);
    const count = countIn(
      line,
      units[index]!,
      moveUnit,
      `the unit of its move in ${String(picking['name'])}`,
    );
    // Counts on the unit's steps add up on them: only the float noise of the sum is dropped.
    shipped.set(move.id, cleanFloat((shipped.get(move.id) ?? 0) + count));
    open.set(move.id, move);
  }
  const plan: PlannedMove[] = [];
  for (const [moveId, quantity] of shipped) {
    const move = open.get(moveId)!;
    const already = countedQuantity(move, field);
    plan.push({ moveId, from: already, quantity: cleanFloat(already + quantity) });
  }
  return plan;
}

interface WrittenQuantities {
  readonly records: DeliveredRecord[];
  /** A move held neither the quantity a plan started from nor the one it ends at: left as Odoo has it. */
  changedInOdoo: boolean;
}

/**
 * Writes each planned quantity over the value it was planned from, and only over that: a move
 * already at the planned value was written by an earlier attempt, and one at any other value was
 * changed since (a user in Odoo), which a retry must not overwrite.
 */
async function writeQuantities(
  ctx: DeliveryContext,
  plan: readonly PlannedMove[],
): Promise<WrittenQuantities> {
  const field = ctx.options.moveQuantityField ?? 'quantity';
  const result: WrittenQuantities = { records: [], changedInOdoo: false };
  if (plan.length === 0) return result;
  const moves = await readRecords(
    ctx.client,
    'stock.move',
    plan.map((p) => p.moveId),
    [field, ...(field === 'quantity' ? ['picked'] : [])],
  );
  for (const { moveId, from, quantity } of plan) {
    const move = moves.find((m) => m.id === moveId);
    if (!move) continue;
    const counted = countedQuantity(move, field);
    if (from !== undefined && !sameQuantity(counted, from)) {
      if (!sameQuantity(counted, quantity)) result.changedInOdoo = true;
      result.records.push({ model: 'stock.move', id: moveId, action: 'skipped' });
      continue;
    }
    const wanted = field === 'quantity' ? { quantity, picked: true } : { quantity_done: quantity };
    const changes = changedValues(move, wanted);
    await writeRecords(ctx.client, 'stock.move', [moveId], changes);
    result.records.push({
      model: 'stock.move',
      id: moveId,
      action: Object.keys(changes).length > 0 ? 'updated' : 'skipped',
    });
  }
  return result;
}

/** What a move has counted as shipped. On 17.0+ `quantity` is the reservation until someone picks it. */
function countedQuantity(move: OdooRecord, field: 'quantity' | 'quantity_done'): number {
  if (field === 'quantity') return move['picked'] === true ? Number(move['quantity'] ?? 0) : 0;
  return Number(move[field] ?? 0);
}

/** Odoo keeps quantities as floats: equal to well below any unit's rounding. */
function sameQuantity(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function noteFor(c: FulfillmentConfirmation, plan: readonly PlannedMove[], marker: string): string {
  const carrier = [c.carrier.scac, c.carrier.name, c.carrier.service].filter(Boolean).join(' ');
  return [
    `Shipped by the warehouse: shipment ${c.shipmentId} at ${c.shippedAt}`,
    carrier ? `Carrier: ${carrier}` : undefined,
    c.trackingNumbers.length > 0 ? `Tracking: ${c.trackingNumbers.join(', ')}` : undefined,
    c.packages.length > 0 ? `Packages: ${c.packages.length}` : undefined,
    ...c.lines.map((l) => `- ${l.sku}: ${l.quantityShipped.value} ${l.quantityShipped.unit}`),
    plan.length > 0
      ? `${LEDGER_LINE} ${plan.map((p) => `move ${p.moveId} = ${p.quantity}${p.from !== undefined ? ` (was ${p.from})` : ''}`).join('; ')}`
      : undefined,
    marker,
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n');
}
