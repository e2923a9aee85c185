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

  /** Documents that make a shipment the customer's (see the portal ownership rule). */
  async ownedBy(
    tenantId: string,
    customerAccount: string | undefined,
    customerPartnerId: string,
  ): Promise<ShipmentDocument[]> {
    return this.read(
      tenantId,
      // An order links the shipments that name its number only when it named it first: an order
      // posted later would let a customer claim another's shipment by its PO number.
      `WITH customer_orders AS (
         SELECT o.canonical->>'orderNumber' AS number, min(o.created_at) AS since FROM documents o
          WHERE o.tenant_id = $1 AND o.document_type = 'Order' AND o.state <> 'rejected'
            AND (o.partner_id = $3 OR ($2::text IS NOT NULL
              AND jsonb_path_exists(o.canonical, '$.customer.ids[*] ? (@.value == $account)', jsonb_build_object('account', $2::text))))
          GROUP BY 1
       ), shipment_numbers AS (
         SELECT d.created_at, n.number FROM documents d
          CROSS JOIN LATERAL (
            SELECT po->>'purchaseOrderNumber' AS number FROM jsonb_array_elements(coalesce(d.canonical->'orders', '[]')) po
            UNION SELECT po FROM jsonb_array_elements_text(coalesce(d.canonical->'shipmentRef'->'purchaseOrderNumbers', '[]')) po
          ) n
          WHERE d.tenant_id = $1 AND ${SHIPMENT_TYPES} AND n.number IN (SELECT number FROM customer_orders)
       ), owned_numbers AS (
         SELECT c.number FROM customer_orders c
          WHERE c.since < (SELECT min(s.created_at) FROM shipment_numbers s WHERE s.number = c.number)
       )
       SELECT ${COLUMNS} FROM documents d
        WHERE d.tenant_id = $1 AND ${SHIPMENT_TYPES} AND (
          ($2::text IS NOT NULL AND jsonb_path_exists(d.canonical, ${CUSTOMER_PARTY}, jsonb_build_object('account', $2::text)))
          OR EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(d.canonical->'orders', '[]')) po
                      WHERE po->>'purchaseOrderNumber' IN (SELECT number FROM owned_numbers))
          OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(d.canonical->'shipmentRef'->'purchaseOrderNumbers', '[]')) po
                      WHERE po IN (SELECT number FROM owned_numbers)))
        ORDER BY d.created_at DESC LIMIT ${MAX_DOCUMENTS}`,
      [tenantId, customerAccount ?? null, customerPartnerId],
    );
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
