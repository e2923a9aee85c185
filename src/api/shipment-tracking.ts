import { Injectable } from '@nestjs/common';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import {
  ShipmentDocumentIndex,
  ShipmentDocuments,
  ownsShipment,
  type CustomerOwnership,
} from './shipment-documents.js';
import { buildShipmentView, shipmentKeyOf, type ShipmentView } from './shipment-view.js';

export interface PortalFilter {
  readonly orderNumber?: string;
  readonly purchaseOrder?: string;
  readonly reference?: string;
  readonly after?: { readonly updatedAt: string; readonly id: string };
  readonly limit: number;
}

/**
 * Shipment timelines for partners and for customers. A partner sees a shipment it took part in
 * (posted its ASN or one of its tracking events); a customer sees the shipments the portal
 * ownership rule gives it (`ownsShipment`, on all the documents of the shipment).
 */
@Injectable()
export class ShipmentTracking {
  constructor(private readonly documents: ShipmentDocuments) {}

  async forPartner(scope: TenantScope, key: string): Promise<ShipmentView | undefined> {
    const documents = await this.documents.byKey(scope.tenantId, key);
    if (documents.length === 0) return undefined;
    if (!scope.isTenantWide && !documents.some((d) => d.partnerId === scope.partnerId)) return undefined;
    return buildShipmentView(shipmentKeyOf(documents) ?? key, documents);
  }

  async forCustomer(scope: TenantScope, key: string): Promise<ShipmentView | undefined> {
    const ownership = await this.ownership(scope);
    const documents = await this.documents.byKey(scope.tenantId, key);
    const ids = new Set(ownership.candidates.map((d) => d.documentId));
    if (!documents.some((d) => ids.has(d.documentId)) || !ownsShipment(ownership, documents))
      return undefined;
    return buildShipmentView(shipmentKeyOf(documents) ?? key, documents);
  }

  /** The customer's shipments, most recently updated first. */
  async listForCustomer(
    scope: TenantScope,
    filter: PortalFilter,
  ): Promise<{ items: ShipmentView[]; next: { updatedAt: string; id: string } | null }> {
    const ownership = await this.ownership(scope);
    const owned = ownership.candidates;
    const keyOf = new Map(owned.map((seed) => [seed, shipmentKeyOf([seed])]));
    const keys = [...new Set([...keyOf.values()].filter((key): key is string => key !== undefined))];
    // Three transactions for the whole list (ownership, then two identifier rounds), not two per shipment.
    const index = new ShipmentDocumentIndex(await this.documents.byKeys(scope.tenantId, keys));
    const views = new Map<string, ShipmentView>();
    const seen = new Set<string>();
    for (const seed of owned) {
      if (seen.has(seed.documentId)) continue;
      const key = keyOf.get(seed);
      if (!key) continue;
      const documents = await index.byKey(key);
      for (const d of documents) seen.add(d.documentId);
      if (!ownsShipment(ownership, documents)) continue;
      const view = buildShipmentView(shipmentKeyOf(documents) ?? key, documents);
      if (matches(view, filter)) views.set(view.id, view);
    }
    const sorted = [...views.values()]
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id))
      .filter(
        (v) =>
          !filter.after ||
          v.updatedAt < filter.after.updatedAt ||
          (v.updatedAt === filter.after.updatedAt && v.id < filter.after.id),
      );
    const items = sorted.slice(0, filter.limit);
    const last = sorted.length > filter.limit ? items.at(-1) : undefined;
    return { items, next: last ? { updatedAt: last.updatedAt, id: last.id } : null };
  }

  private async ownership(scope: TenantScope): Promise<CustomerOwnership> {
    if (!scope.partnerId) {
      throw new ProblemException(
        403,
        ProblemCode.Forbidden,
        'The portal shows a customer its own shipments: use a customer client.',
      );
    }
    return this.documents.ownership(scope.tenantId, scope.customerAccount, scope.partnerId);
  }
}

function matches(view: ShipmentView, filter: PortalFilter): boolean {
  const refs = view.references.map((r) => r.value);
  if (filter.purchaseOrder && !view.purchaseOrderNumbers.includes(filter.purchaseOrder)) return false;
  if (
    filter.orderNumber &&
    !view.purchaseOrderNumbers.includes(filter.orderNumber) &&
    !refs.includes(filter.orderNumber)
  ) {
    return false;
  }
  if (filter.reference) {
    const all = [...refs, ...view.trackingNumbers, view.billOfLading, view.proNumber, view.shipmentId];
    if (!all.includes(filter.reference)) return false;
  }
  return true;
}
