/**
 * FreightInvoice → a draft vendor bill (`account.move`, `move_type='in_invoice'`, or `in_refund`
 * for a net credit): the carrier
 * partner (res.partner ref = SCAC), `ref` = invoice number, one invoice line per charge with the
 * amount converted exactly. The bill is never posted by Crossdock; an invoice that matches no known
 * shipment, or whose charges do not add up to the amount due, is flagged on the bill and in the
 * result instead of being booked silently.
 */
import type { FreightInvoice } from '../canonical/freight-invoice.schema.js';
import { OdooError } from './odoo-errors.js';
import type { DeliveryContext, OdooDeliveryResult } from './odoo-delivery-types.js';
import {
  bindCreatedRecord,
  bindExternalId,
  completeName,
  externalIdName,
  resolveExternalId,
} from './odoo-external-ids.js';
import {
  pickingsByReferenceIds,
  pickingsByTrackingRef,
  requireId,
  requirePartnerByRefs,
  shipmentReferenceIds,
} from './odoo-lookups.js';
import { isNegativeDecimal, negateDecimal } from '../edi/implied-decimal.js';
import {
  absoluteDifference,
  currencyMinorUnits,
  decimalGreaterThan,
  decimalToOdooNumber,
  sumDecimals,
} from './odoo-money.js';
import { postNoteOnce } from './odoo-notes.js';
import { createRecord, searchRead } from './odoo-records.js';
import { toOdooDate } from './odoo-values.js';

export async function deliverFreightInvoice(
  ctx: DeliveryContext,
  invoice: FreightInvoice,
): Promise<OdooDeliveryResult> {
  const { client } = ctx;
  const scac = invoice.carrier?.scac ?? invoice.parties.find((p) => p.role === 'carrier')?.ids[0]?.value;
  if (!scac)
    throw new OdooError('business', `freight invoice ${invoice.invoiceNumber} names no carrier SCAC`);
  const ref = { module: ctx.module, name: externalIdName('freightinvoice', scac, invoice.invoiceNumber) };
  const externalId = completeName(ref);

  const currency = invoice.netAmountDue.currency;
  const foreign = invoice.charges.filter((c) => c.amount.currency !== currency);
  if (foreign.length > 0) {
    throw new OdooError(
      'business',
      `freight invoice ${invoice.invoiceNumber} mixes ${currency} with ${foreign[0]!.amount.currency} charges`,
    );
  }
  // Odoo refuses to post a bill with a negative total ("create a credit note instead"), so a
  // carrier's net credit becomes a vendor refund with the signs turned around.
  const credit = isNegativeDecimal(invoice.netAmountDue.amount);
  // Converted first, so a charge Odoo cannot hold exactly is refused by name before anything else.
  const lines = invoice.charges.map((charge, index) => [
    0,
    0,
    {
      name:
        [charge.code, charge.description ?? charge.codeNormalized].filter(Boolean).join(' ') ||
        `Freight charge ${index + 1}`,
      quantity: 1,
      price_unit: decimalToOdooNumber(
        // A charge that is no decimal stays as it is: the conversion refuses it by name.
        credit ? (negateDecimal(charge.amount.amount) ?? charge.amount.amount) : charge.amount.amount,
        currency,
        `charge ${charge.lineNumber ?? index + 1}`,
      ),
    },
  ]);
  const flags: string[] = credit ? ['credit_note'] : [];
  const problems: string[] = [];
  const scale = currencyMinorUnits(currency);
  const chargesTotal = sumDecimals(
    invoice.charges.map((c) => c.amount.amount),
    scale,
  );
  const difference = absoluteDifference(chargesTotal, invoice.netAmountDue.amount, scale);
  if (decimalGreaterThan(difference, ctx.options.invoiceTolerance ?? '0', scale)) {
    flags.push('amount_mismatch');
    problems.push(
      `charges add up to ${chargesTotal} ${currency} but the amount due is ${invoice.netAmountDue.amount} ${currency}`,
    );
  }
  // The flags are worked out on every delivery, a redelivery included: a bill created by an attempt
  // whose answer was lost must still be reported (and noted) as what it is, not as a plain skip.
  const shipments = await matchShipments(ctx, invoice);
  if (shipments.length === 0) {
    flags.push('unmatched_shipment');
    problems.push(
      `no shipment in Odoo matches ${[invoice.billOfLading && `BOL ${invoice.billOfLading}`, invoice.proNumber && `PRO ${invoice.proNumber}`, invoice.shipmentId && `shipment ${invoice.shipmentId}`].filter(Boolean).join(', ') || 'this invoice (no references)'}`,
    );
  }
  const marker = `[crossdock ${externalId}]`;
  /** The review note, once: a redelivery after a lost answer finds it by its marker. */
  const noteProblems = async (billId: number): Promise<void> => {
    if (problems.length === 0) return;
    await postNoteOnce(
      client,
      ctx.module,
      'account.move',
      billId,
      marker,
      `Review before posting (left in draft by Crossdock):\n${problems.map((p) => `- ${p}`).join('\n')}\n${marker}`,
    );
  };

  const known = await resolveExternalId(client, ref);
  if (known) {
    await noteProblems(known.resId);
    return result(known.resId, externalId, 'skipped', flags, shipments);
  }

  const carrier = await requirePartnerByRefs(client, [scac], `carrier ${scac}`);
  // Created before a crash but never bound: Odoo already holds this carrier's bill with that number.
  const [adopted] = await searchRead(
    client,
    'account.move',
    [
      ['move_type', 'in', ['in_invoice', 'in_refund']],
      ['partner_id', '=', carrier],
      ['ref', '=', invoice.invoiceNumber],
      ['state', '!=', 'cancel'],
    ],
    ['id'],
    { limit: 1, order: 'id' },
  );
  if (adopted) {
    const id = await bindExternalId(client, ref, 'account.move', adopted.id);
    await noteProblems(id);
    return result(id, externalId, 'skipped', flags, shipments);
  }

  const currencyId = await requireId(
    client,
    'res.currency',
    [['name', '=', currency]],
    `currency ${currency}`,
  );
  const origin = [invoice.shipmentId, invoice.billOfLading, invoice.proNumber].filter(Boolean).join(' / ');
  const id = await createRecord(client, 'account.move', {
    move_type: credit ? 'in_refund' : 'in_invoice',
    partner_id: carrier,
    ref: invoice.invoiceNumber,
    invoice_date: toOdooDate(invoice.invoiceDate),
    currency_id: currencyId,
    ...(origin ? { invoice_origin: origin } : {}),
    ...(problems.length > 0 ? { narration: `Crossdock: review before posting: ${problems.join('; ')}` } : {}),
    invoice_line_ids: lines,
  });
  const bound = await bindCreatedRecord(client, ref, 'account.move', [id]);
  if (!bound.won) return result(bound.id, externalId, 'skipped', flags, shipments);
  await noteProblems(id);
  return result(id, externalId, 'created', flags, shipments);
}

async function matchShipments(ctx: DeliveryContext, invoice: FreightInvoice): Promise<number[]> {
  const ids = await pickingsByReferenceIds(ctx.client, shipmentReferenceIds(ctx.module, invoice));
  if (ids.length > 0) return ids;
  const refs = [invoice.proNumber, invoice.billOfLading, invoice.shipmentId].filter((r): r is string => !!r);
  const byTracking = await pickingsByTrackingRef(ctx.client, refs, [['state', '!=', 'cancel']]);
  if (byTracking.length > 0) return byTracking.map((p) => p.id);
  const pos = invoice.references.filter((r) => r.qualifier === 'PO').map((r) => r.value);
  if (pos.length === 0) return [];
  const byOrigin = await searchRead(ctx.client, 'stock.picking', [['origin', 'in', pos]], ['id'], {
    order: 'id',
  });
  return byOrigin.map((p) => p.id);
}

function result(
  id: number,
  externalId: string,
  action: OdooDeliveryResult['action'],
  flags: string[],
  shipments: readonly number[] = [],
): OdooDeliveryResult {
  return {
    model: 'account.move',
    id,
    externalId,
    action,
    records: [
      { model: 'account.move', id, action },
      ...shipments.map((s) => ({ model: 'stock.picking', id: s, action: 'skipped' as const })),
    ],
    flags,
  };
}
