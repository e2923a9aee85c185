/**
 * FreightInvoice → a draft vendor bill (`account.move`, `move_type='in_invoice'`, or `in_refund`
 * for a net credit): the carrier
 * partner (res.partner ref = SCAC), `ref` = invoice number, one invoice line per charge with the
 * amount converted exactly. The bill is never posted by Crossdock; an invoice that matches no known
 * shipment, or whose charges do not add up to the amount due, is flagged on the bill and in the
 * result instead of being booked silently.
 */
import type { FreightInvoice } from '../canonical/freight-invoice.schema.js';
import { createHash } from 'node:crypto';
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
import { dropCreateLease, takeCreateLease } from './odoo-create-lease.js';
import { postNoteOnce } from './odoo-notes.js';
import { createRecord, readRecords, searchRead } from './odoo-records.js';
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
  // Odoo rounds every amount of the bill to its currency's decimal places: Odoo's, not a table of
  // ours, decide what can be sent exactly (a currency without minor units the table does not know).
  const [currencyRow] = await searchRead(
    client,
    'res.currency',
    [['name', '=', currency]],
    ['decimal_places'],
    {
      limit: 1,
      order: 'id',
    },
  );
  if (!currencyRow) throw new OdooError('business', `no res.currency in Odoo for currency ${currency}`);
  const scale =
    typeof currencyRow['decimal_places'] === 'number'
      ? currencyRow['decimal_places']
      : currencyMinorUnits(currency);
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
        scale,
      ),
    },
  ]);
  const flags: string[] = credit ? ['credit_note'] : [];
  const problems: string[] = [];
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

  /**
   * The bill Odoo already holds for this carrier and number must be the one this document describes.
   * A carrier re-billing under the same number with other charges is not skipped silently: the bill
   * is left as it is (it may be posted or edited by then) and the difference is flagged and noted.
   */
  const compareWithBill = async (billId: number): Promise<void> => {
    const [bill] = await readRecords(
      client,
      'account.move',
      [billId],
      ['invoice_line_ids', 'move_type', 'currency_id', 'state'],
    );
    if (!bill) return;
    // Untaxed, line by line: Odoo may add the expense account's purchase taxes to the total.
    const lineIds = Array.isArray(bill['invoice_line_ids']) ? (bill['invoice_line_ids'] as number[]) : [];
    const billLines = await readRecords(client, 'account.move.line', lineIds, ['price_subtotal']);
    const billTotal = sumDecimals(
      billLines.map((l) => Number(l['price_subtotal'] ?? 0).toFixed(scale)),
      scale,
    ).replace(/^-/, '');
    const expectedType = credit ? 'in_refund' : 'in_invoice';
    const expectedTotal = chargesTotal.replace(/^-/, '');
    const billCurrency = Array.isArray(bill['currency_id']) ? String(bill['currency_id'][1]) : undefined;
    const same =
      bill['move_type'] === expectedType &&
      (billCurrency === undefined || billCurrency === currency) &&
      !decimalGreaterThan(absoluteDifference(billTotal, expectedTotal, scale), '0', scale);
    if (same) return;
    flags.push('differs_from_existing_bill');
    const resendMarker = `[crossdock ${externalId} resent ${contentHash(invoice.charges)}]`;
    await postNoteOnce(
      client,
      ctx.module,
      'account.move',
      billId,
      resendMarker,
      [
        `The carrier sent invoice ${invoice.invoiceNumber} again with other charges: ${expectedTotal} ${currency} (${expectedType}); this ${String(bill['state'])} bill holds ${billTotal} ${billCurrency ?? currency} (${String(bill['move_type'])}).`,
        'Crossdock did not change the bill: review it against the new charges.',
        ...invoice.charges.map(
          (c) => `- ${c.code ?? ''} ${c.description ?? ''}: ${c.amount.amount} ${c.amount.currency}`,
        ),
        resendMarker,
      ].join('\n'),
    );
  };

  const known = await resolveExternalId(client, ref);
  if (known) {
    await noteProblems(known.resId);
    await compareWithBill(known.resId);
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
    await dropCreateLease(client, ref);
    await noteProblems(id);
    await compareWithBill(id);
    return result(id, externalId, 'skipped', flags, shipments);
  }

  const currencyId = currencyRow.id;
  const origin = [invoice.shipmentId, invoice.billOfLading, invoice.proNumber].filter(Boolean).join(' / ');
  const lease = await takeCreateLease(client, ref, 'account.move', ctx.options.createLeaseSeconds);
  const id = await lease.create(() =>
    createRecord(client, 'account.move', {
      move_type: credit ? 'in_refund' : 'in_invoice',
      partner_id: carrier,
      ref: invoice.invoiceNumber,
      invoice_date: toOdooDate(invoice.invoiceDate),
      currency_id: currencyId,
      ...(origin ? { invoice_origin: origin } : {}),
      ...(problems.length > 0
        ? { narration: `Crossdock: review before posting: ${problems.join('; ')}` }
        : {}),
      invoice_line_ids: lines,
    }),
  );
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
  // A cancelled picking is no shipment to bill against, as in the other two lookups.
  const byOrigin = await searchRead(
    ctx.client,
    'stock.picking',
    [
      ['origin', 'in', pos],
      ['state', '!=', 'cancel'],
    ],
    ['id'],
    { order: 'id' },
  );
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

function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 8);
}
