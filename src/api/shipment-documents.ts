import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { withTenant } from '../tenancy/with-tenant.js';

/** A ShipmentNotice or TrackingEvent as the tracking read model uses it. */
export interface ShipmentDocument {
  readonly documentId: string;
  readonly partnerId: string | null;
  readonly documentType: 'ShipmentNotice' | 'TrackingEvent';
  readonly messageId: string;
  readonly receivedAt: Date;
  readonly canonical: Record<string, unknown>;
}

interface Row {
  natural_key: string;
  partner_id: string | null;
  document_type: 'ShipmentNotice' | 'TrackingEvent';
  message_id: string;
  created_at: Date;
  canonical: Record<string, unknown>;
}

const COLUMNS = `d.natural_key, d.partner_id, d.document_type, d.message_id, d.created_at, d.canonical`;
const SHIPMENT_TYPES = `d.document_type IN ('ShipmentNotice', 'TrackingEvent') AND d.state <> 'rejected'`;

/** Any identifier of a shipment: the ASN's own or the one a tracking event refers to it by. */
const KEY_MATCH = `(d.canonical->>'shipmentId' = ANY($2) OR d.canonical->>'billOfLading' = ANY($2)
  OR d.canonical->>'proNumber' = ANY($2) OR coalesce(d.canonical->'trackingNumbers', '[]') ?| $2
  OR d.canonical->'shipmentRef'->>'shipmentId' = ANY($2) OR d.canonical->'shipmentRef'->>'billOfLading' = ANY($2)
  OR d.canonical->'shipmentRef'->>'proNumber' = ANY($2) OR d.canonical->'shipmentRef'->>'carrierReference' = ANY($2))`;

/** Party roles that make the named account the shipment's customer. */
const CUSTOMER_PARTY = `'$.parties[*] ? (@.role == "shipTo" || @.role == "buyer" || @.role == "customer" || @.role == "consignee" || @.role == "billTo").ids[*] ? (@.value == $account)'`;

const CUSTOMER_ROLES: ReadonlySet<unknown> = new Set(['shipTo', 'buyer', 'customer', 'consignee', 'billTo']);

/** What decides which shipments are a customer's (`ShipmentDocuments.ownership`). */
export interface CustomerOwnership {
  readonly account: string | undefined;
  /** The customer's orders by number: when the first was received, and the party ids they name. */
  readonly orders: ReadonlyMap<string, { readonly since: Date; readonly partyIds: ReadonlySet<string> }>;
  /** The `customerAccount` of every other customer partner of the tenant. */
  readonly otherAccounts: ReadonlySet<string>;
  /** Newest first; every shipment the customer owns has at least one of them. */
  readonly candidates: readonly ShipmentDocument[];
}

/**
 * The portal ownership rule, on all the documents of one shipment: it is the customer's when one
 * of them names the customer's account on a customer party; or when it names the number of one of
 * the customer's orders, that order was received before the shipment's first document, and every
 * customer party id the shipment names is one that order names too, never another customer's
 * account (a shipment to someone else is not claimed by an order with its number, a shipment known
 * before the order not by a later one).
 */
export function ownsShipment(ownership: CustomerOwnership, documents: readonly ShipmentDocument[]): boolean {
  if (documents.length === 0) return false;
  const partyIds = new Set(documents.flatMap(customerPartyIdsOf));
  if (ownership.account !== undefined && partyIds.has(ownership.account)) return true;
  const first = Math.min(...documents.map((d) => d.receivedAt.getTime()));
  return documents.flatMap(purchaseOrderNumbersOf).some((number) => {
    const order = ownership.orders.get(number);
    return (
      order !== undefined &&
      order.since.getTime() < first &&
      [...partyIds].every((id) => order.partyIds.has(id) && !ownership.otherAccounts.has(id))
    );
  });
}

function customerPartyIdsOf(document: ShipmentDocument): string[] {
  const parties = document.canonical['parties'];
  if (!Array.isArray(parties)) return [];
  return parties.flatMap((party: unknown) => {
    const p = (party ?? {}) as Record<string, unknown>;
    if (!CUSTOMER_ROLES.has(p['role']) || !Array.isArray(p['ids'])) return [];
    return (p['ids'] as unknown[])
      .map((id) => ((id ?? {}) as Record<string, unknown>)['value'])
      .filter((v): v is string => typeof v === 'string');
  });
}

function purchaseOrderNumbersOf(document: ShipmentDocument): string[] {
  const c = document.canonical;
  const orders = Array.isArray(c['orders']) ? (c['orders'] as unknown[]) : [];
  const ref = (c['shipmentRef'] ?? {}) as Record<string, unknown>;
  const refs = Array.isArray(ref['purchaseOrderNumbers']) ? (ref['purchaseOrderNumbers'] as unknown[]) : [];
  return [
    ...orders.map((o) => ((o ?? {}) as Record<string, unknown>)['purchaseOrderNumber']),
    ...refs,
  ].filter((v): v is string => typeof v === 'string');
}

/** Per shipment; a list reads at most `MAX_LIST_DOCUMENTS` for all its shipments together. */
const MAX_DOCUMENTS = 2000;
const MAX_LIST_DOCUMENTS = 20_000;

function toDocument(row: Row): ShipmentDocument {
  return {
    documentId: row.natural_key,
    partnerId: row.partner_id,
    documentType: row.document_type,
    messageId: row.message_id,
    receivedAt: row.created_at,
    canonical: row.canonical,
  };
}

/** Every identifier a document knows its shipment by. */
export function identifiersOf(document: ShipmentDocument): string[] {
  const c = document.canonical;
  const ref = (c['shipmentRef'] ?? {}) as Record<string, unknown>;
  const values = [
    c['shipmentId'],
    c['billOfLading'],
    c['proNumber'],
    ...(Array.isArray(c['trackingNumbers']) ? (c['trackingNumbers'] as unknown[]) : []),
    ref['shipmentId'],
    ref['billOfLading'],
    ref['proNumber'],
    ref['carrierReference'],
  ];
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}

/**
 * The documents of the shipment known by `keys`, from a `matching` that finds the documents naming
 * any of them. Two rounds: a carrier's event names the BOL, the ASN found by shipment id names that BOL.
 */
async function followIdentifiers(
  keys: readonly string[],
  matching: (keys: readonly string[]) => Promise<ShipmentDocument[]> | ShipmentDocument[],
): Promise<ShipmentDocument[]> {
  let current = [...new Set(keys)];
  let found: ShipmentDocument[] = [];
  for (let round = 0; round < 2; round += 1) {
    found = await matching(current);
    const more = [...new Set([...current, ...found.flatMap(identifiersOf)])];
    if (more.length === current.length) break;
    current = more;
  }
  return found;
}

/**
 * Documents read once (`ShipmentDocuments.byKeys`), then looked up by identifier in memory
 * exactly as `byKey` looks them up in the database: same rounds, same order, same cap.
 */
export class ShipmentDocumentIndex {
  private readonly byIdentifier = new Map<string, number[]>();

  /** `documents` in `created_at` order, as the database returns them. */
  constructor(private readonly documents: readonly ShipmentDocument[]) {
    documents.forEach((document, position) => {
      for (const identifier of identifiersOf(document)) {
        const positions = this.byIdentifier.get(identifier);
        if (positions) positions.push(position);
        else this.byIdentifier.set(identifier, [position]);
      }
    });
  }

  byKey(key: string): Promise<ShipmentDocument[]> {
    return followIdentifiers([key], (keys) => this.matching(keys));
  }

  private matching(keys: readonly string[]): ShipmentDocument[] {
    const positions = new Set(keys.flatMap((key) => this.byIdentifier.get(key) ?? []));
    return [...positions]
      .sort((a, b) => a - b)
      .slice(0, MAX_DOCUMENTS)
      .map((position) => this.documents[position]!);
  }
}

/**
 * The tracking read model, from Crossdock's own documents (a tracking event Odoo could not place
 * is still the partner's truth): ShipmentNotices and TrackingEvents of one tenant, joined by any
 * shared identifier (shipment id, tracking number, BOL, PRO, carrier reference).
 */
@Injectable()
export class ShipmentDocuments {
  constructor(private readonly dataSource: DataSource) {}

  /** The documents of the shipment known as `key`, following the identifiers its ASNs add. */
  async byKey(tenantId: string, key: string): Promise<ShipmentDocument[]> {
    return followIdentifiers([key], (keys) => this.matching(tenantId, keys, MAX_DOCUMENTS));
  }

  /**
   * Every document `byKey` would find for any of `keys`, in two queries whatever their number:
   * a list reads its shipments from these with a `ShipmentDocumentIndex` instead of one
   * `byKey` per shipment.
   */
  async byKeys(tenantId: string, keys: readonly string[]): Promise<ShipmentDocument[]> {
    if (keys.length === 0) return [];
    return followIdentifiers(keys, (more) => this.matching(tenantId, more, MAX_LIST_DOCUMENTS));
  }

  /**
   * What the portal ownership rule needs, in one tenant transaction: the customer's orders, the
   * other customers' accounts, and the documents that may make a shipment the customer's (`ownsShipment` decides on the whole
   * shipment). A candidate names the customer's account on a customer party, or names the number
   * of one of its orders and was received after that order.
   */
  async ownership(
    tenantId: string,
    customerAccount: string | undefined,
    customerPartnerId: string,
  ): Promise<CustomerOwnership> {
    return withTenant(this.dataSource, tenantId, async (manager) => {
      const orderRows = (await manager.query(
        `SELECT number, min(created_at) AS since,
                coalesce(array_agg(DISTINCT id) FILTER (WHERE id IS NOT NULL), '{}') AS party_ids
           FROM (SELECT o.canonical->>'orderNumber' AS number, o.created_at, i.id FROM documents o
                   LEFT JOIN LATERAL (
                     SELECT jsonb_path_query(o.canonical, '$.customer.ids[*].value') #>> '{}' AS id
                     UNION ALL SELECT jsonb_path_query(o.canonical, '$.shipTo.ids[*].value') #>> '{}'
                   ) i ON true
                  WHERE o.tenant_id = $1 AND o.document_type = 'Order' AND o.state <> 'rejected'
                    AND o.canonical->>'orderNumber' IS NOT NULL
                    AND (o.partner_id = $3 OR ($2::text IS NOT NULL AND jsonb_path_exists(o.canonical,
                      '$.customer.ids[*] ? (@.value == $account)', jsonb_build_object('account', $2::text))))) o
          GROUP BY number`,
        [tenantId, customerAccount ?? null, customerPartnerId],
      )) as { number: string; since: Date; party_ids: string[] }[];
      const orders = new Map(
        orderRows.map((o) => [o.number, { since: o.since, partyIds: new Set(o.party_ids) }] as const),
      );
      const rows = (await manager.query(
        `SELECT ${COLUMNS} FROM documents d
          WHERE d.tenant_id = $1 AND ${SHIPMENT_TYPES} AND (
            ($2::text IS NOT NULL AND jsonb_path_exists(d.canonical, ${CUSTOMER_PARTY}, jsonb_build_object('account', $2::text)))
            OR EXISTS (SELECT 1 FROM unnest($3::text[], $4::timestamptz[]) AS o(number, since)
                        WHERE d.created_at > o.since
                          AND (EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(d.canonical->'orders', '[]')) po
                                        WHERE po->>'purchaseOrderNumber' = o.number)
                            OR coalesce(d.canonical->'shipmentRef'->'purchaseOrderNumbers', '[]') ? o.number)))
          ORDER BY d.created_at DESC LIMIT ${MAX_DOCUMENTS}`,
        [tenantId, customerAccount ?? null, orderRows.map((o) => o.number), orderRows.map((o) => o.since)],
      )) as Row[];
      const others = (await manager.query(
        `SELECT DISTINCT p.definition->>'customerAccount' AS account FROM partners p
          WHERE p.tenant_id = $1 AND p.id <> $2 AND p.definition->>'customerAccount' IS NOT NULL`,
        [tenantId, customerPartnerId],
      )) as { account: string }[];
      return {
        account: customerAccount,
        orders,
        otherAccounts: new Set(others.map((o) => o.account).filter((a) => a !== customerAccount)),
        candidates: rows.map(toDocument),
      };
    });
  }

  private async matching(
    tenantId: string,
    keys: readonly string[],
    limit: number,
  ): Promise<ShipmentDocument[]> {
    return this.read(
      tenantId,
      `SELECT ${COLUMNS} FROM documents d WHERE d.tenant_id = $1 AND ${SHIPMENT_TYPES} AND ${KEY_MATCH}
        ORDER BY d.created_at LIMIT ${limit}`,
      [tenantId, keys],
    );
  }

  /** One read-model query, confined to the tenant by row-level security as well. */
  private async read(tenantId: string, sql: string, params: readonly unknown[]): Promise<ShipmentDocument[]> {
    const rows = (await withTenant(this.dataSource, tenantId, (manager) =>
      manager.query(sql, [...params]),
    )) as Row[];
    return rows.map(toDocument);
  }
}
