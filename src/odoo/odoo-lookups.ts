/**
 * Finding the Odoo records a document refers to. A missing master record (an unknown SKU, a carrier
 * with no partner) is a business error naming what to create in Odoo; after that, replay succeeds.
 */
import type { OdooClient, OdooDomain } from './odoo-client.js';
import { OdooError } from './odoo-errors.js';
import { externalIdName, resolveExternalIds, type ExternalIdRef } from './odoo-external-ids.js';
import { searchRead, type OdooRecord } from './odoo-records.js';
import { charValue } from './odoo-values.js';

export async function findPartnerByRefs(
  client: OdooClient,
  refs: readonly string[],
): Promise<number | undefined> {
  const wanted = [...new Set(refs.filter((r) => r !== ''))];
  if (wanted.length === 0) return undefined;
  const rows = await searchRead(client, 'res.partner', [['ref', 'in', wanted]], ['ref'], { order: 'id' });
  // The first reference the document lists wins when several partners match.
  for (const ref of wanted) {
    const hit = rows.find((r) => r['ref'] === ref);
    if (hit) return hit.id;
  }
  return undefined;
}

export async function requirePartnerByRefs(
  client: OdooClient,
  refs: readonly string[],
  what: string,
): Promise<number> {
  const id = await findPartnerByRefs(client, refs);
  if (id === undefined) {
    throw new OdooError(
      'business',
      `no res.partner in Odoo with ref ${refs.map((r) => JSON.stringify(r)).join(' or ') || '(none given)'} for the ${what}`,
    );
  }
  return id;
}

/** product.product ids by `default_code`; every SKU must exist. */
export async function requireProductsBySku(
  client: OdooClient,
  skus: readonly string[],
): Promise<Map<string, number>> {
  const wanted = [...new Set(skus)];
  const rows = await searchRead(
    client,
    'product.product',
    [['default_code', 'in', wanted]],
    ['default_code'],
    {
      order: 'id',
    },
  );
  const bySku = new Map<string, number>();
  for (const row of rows) {
    const code = charValue(row['default_code']);
    if (code !== undefined && !bySku.has(code)) bySku.set(code, row.id);
  }
  const missing = wanted.filter((sku) => !bySku.has(sku));
  if (missing.length > 0) {
    throw new OdooError(
      'business',
      `no product.product in Odoo with default_code ${missing.map((s) => JSON.stringify(s)).join(', ')}`,
    );
  }
  return bySku;
}

export async function requireId(
  client: OdooClient,
  model: string,
  domain: OdooDomain,
  what: string,
): Promise<number> {
  const rows = await searchRead(client, model, domain, ['id'], { limit: 1, order: 'id' });
  if (!rows[0]) throw new OdooError('business', `no ${model} in Odoo for ${what}`);
  return rows[0].id;
}

/** Splits a char field that may hold several references ("PRO1, PRO2"). */
export function referenceTokens(value: unknown): string[] {
  return typeof value === 'string' ? value.split(/[\s,;]+/).filter((t) => t !== '') : [];
}

/** The references already in a char field and the added ones, each once, in order ("A, B"). */
export function mergeReferences(current: unknown, added: string): string {
  const tokens = referenceTokens(current);
  for (const token of referenceTokens(added)) if (!tokens.includes(token)) tokens.push(token);
  return tokens.join(', ');
}

export const PICKING_FIELDS = [
  'name',
  'origin',
  'state',
  'scheduled_date',
  'carrier_tracking_ref',
  'picking_type_code',
  'partner_id',
  'move_ids',
] as const;

/**
 * Pickings whose carrier_tracking_ref holds one of the references as a whole token: an exact match
 * first, then `ilike` narrowed to whole tokens so "PRO1" never matches "PRO12".
 */
export async function pickingsByTrackingRef(
  client: OdooClient,
  references: readonly string[],
  extra: OdooDomain = [],
): Promise<OdooRecord[]> {
  const wanted = [...new Set(references.filter((r) => r !== ''))];
  if (wanted.length === 0) return [];
  const exact = await searchRead(
    client,
    'stock.picking',
    [...extra, ['carrier_tracking_ref', 'in', wanted]],
    PICKING_FIELDS,
    {
      order: 'id',
    },
  );
  if (exact.length > 0) return exact;
  const found: OdooRecord[] = [];
  for (const ref of wanted) {
    const rows = await searchRead(
      client,
      'stock.picking',
      [...extra, ['carrier_tracking_ref', 'ilike', ref]],
      PICKING_FIELDS,
      {
        order: 'id',
      },
    );
    for (const row of rows) {
      if (referenceTokens(row['carrier_tracking_ref']).includes(ref) && !found.some((f) => f.id === row.id))
        found.push(row);
    }
  }
  return found;
}

/** Pickings named by reference external ids (`shipmentref_bol_…`) that an ASN bound earlier. */
export async function pickingsByReferenceIds(
  client: OdooClient,
  refs: readonly ExternalIdRef[],
): Promise<number[]> {
  const resolved = await resolveExternalIds(client, refs);
  return [...new Set(resolved.filter((r) => r.model === 'stock.picking').map((r) => r.resId))];
}

export interface ShipmentKeys {
  readonly billOfLading?: string | undefined;
  readonly proNumber?: string | undefined;
  readonly shipmentId?: string | undefined;
}

/**
 * External ids an ASN binds to its picking for each shipment reference, so a later 214 or 210
 * carrying only a BOL or PRO finds the picking even though Odoo has no BOL field.
 */
export function shipmentReferenceIds(module: string, keys: ShipmentKeys): ExternalIdRef[] {
  const refs: ExternalIdRef[] = [];
  if (keys.billOfLading) refs.push({ module, name: externalIdName('shipmentref_bol', keys.billOfLading) });
  if (keys.proNumber) refs.push({ module, name: externalIdName('shipmentref_pro', keys.proNumber) });
  if (keys.shipmentId) refs.push({ module, name: externalIdName('shipmentref_shipment', keys.shipmentId) });
  return refs;
}
