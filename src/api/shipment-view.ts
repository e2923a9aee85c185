import type { SchemaObject } from '@nestjs/swagger';
import { trackingUrlFor } from './carrier-tracking-urls.js';
import { identifiersOf, type ShipmentDocument } from './shipment-documents.js';

export interface TimelineEntry {
  readonly milestone: string;
  readonly statusCode: string;
  readonly reasonCode: string | null;
  readonly occurredAt: string;
  readonly location: Record<string, unknown> | null;
  readonly proofOfDelivery: Record<string, unknown> | null;
  /** The tracking event's document id. */
  readonly eventId: string;
  readonly receivedAt: string;
}

/** One shipment as carriers, 3PLs and customers read it: normalized, newest knowledge wins. */
export interface ShipmentView {
  readonly id: string;
  readonly shipmentId: string | null;
  /** The latest milestone (estimates and appointments do not move it). */
  readonly status: string | null;
  readonly carrier: Record<string, unknown> | null;
  readonly trackingNumbers: readonly string[];
  readonly trackingUrl: string | null;
  readonly billOfLading: string | null;
  readonly proNumber: string | null;
  readonly purchaseOrderNumbers: readonly string[];
  readonly references: readonly { readonly qualifier: string; readonly value: string }[];
  readonly shippedAt: string | null;
  readonly estimatedDeliveryAt: string | null;
  readonly deliveredAt: string | null;
  readonly proofOfDelivery: Record<string, unknown> | null;
  readonly milestones: readonly TimelineEntry[];
  readonly updatedAt: string;
}

const NOT_PROGRESS = new Set(['ESTIMATED_DELIVERY', 'APPOINTMENT', 'OTHER']);

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;
const object = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** The id a shipment is addressed by: its ASN's shipment id, else the first identifier known. */
export function shipmentKeyOf(documents: readonly ShipmentDocument[]): string | undefined {
  const notice = documents.find((d) => d.documentType === 'ShipmentNotice');
  return text(notice?.canonical['shipmentId']) ?? documents.flatMap(identifiersOf)[0];
}

/** Builds the view from the documents of one shipment (a latest ASN replaces an earlier one). */
export function buildShipmentView(key: string, documents: readonly ShipmentDocument[]): ShipmentView {
  const byReceipt = [...documents].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  const notices = byReceipt.filter((d) => d.documentType === 'ShipmentNotice').map((d) => d.canonical);
  const events = byReceipt.filter((d) => d.documentType === 'TrackingEvent');
  const notice = notices.at(-1) ?? {};
  const milestones: TimelineEntry[] = events
    .map((d) => ({
      milestone: String(d.canonical['milestone']),
      statusCode: String(d.canonical['statusCode']),
      reasonCode: text(d.canonical['reasonCode']),
      occurredAt: String(d.canonical['occurredAt']),
      location: object(d.canonical['location']),
      proofOfDelivery: object(d.canonical['proofOfDelivery']),
      eventId: d.documentId,
      receivedAt: d.receivedAt.toISOString(),
    }))
    .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  const progress = milestones.filter((m) => !NOT_PROGRESS.has(m.milestone));
  const delivered = milestones.filter((m) => m.milestone === 'DELIVERED').at(-1);
  // The newest estimate received wins, whether the ASN or a carrier's AG event gave it.
  const estimates = [
    ...byReceipt
      .filter((d) => d.documentType === 'ShipmentNotice' && text(d.canonical['estimatedDeliveryAt']))
      .map((d) => ({ at: d.receivedAt.getTime(), eta: String(d.canonical['estimatedDeliveryAt']) })),
    ...events
      .filter((d) => d.canonical['milestone'] === 'ESTIMATED_DELIVERY')
      .map((d) => ({ at: d.receivedAt.getTime(), eta: String(d.canonical['occurredAt']) })),
  ].sort((a, b) => a.at - b.at);
  const eventCarrier = events.map((d) => object(d.canonical['carrier'])).findLast((c) => c !== null) ?? null;
  const carrier = object(notice['carrier']) ?? eventCarrier;
  const trackingNumbers = [...new Set(notices.flatMap((n) => strings(n['trackingNumbers'])))];
  const refs = events.map((d) => object(d.canonical['shipmentRef']) ?? {});
  const purchaseOrderNumbers = [
    ...new Set([
      ...notices.flatMap((n) =>
        (Array.isArray(n['orders']) ? (n['orders'] as unknown[]) : []).map((o) =>
          text(object(o)?.['purchaseOrderNumber']),
        ),
      ),
      ...refs.flatMap((r) => strings(r['purchaseOrderNumbers'])),
    ]),
  ].filter((v): v is string => v !== null);
  const references = byReceipt.flatMap((d) =>
    (Array.isArray(d.canonical['references']) ? (d.canonical['references'] as unknown[]) : [])
      .map(object)
      .filter((r): r is Record<string, unknown> => r !== null)
      .map((r) => ({ qualifier: String(r['qualifier']), value: String(r['value']) })),
  );
  const billOfLading =
    text(notice['billOfLading']) ?? refs.map((r) => text(r['billOfLading'])).find(Boolean) ?? null;
  const proNumber = text(notice['proNumber']) ?? refs.map((r) => text(r['proNumber'])).find(Boolean) ?? null;
  const scac = text(carrier?.['scac']) ?? undefined;
  return {
    id: key,
    shipmentId: text(notice['shipmentId']) ?? refs.map((r) => text(r['shipmentId'])).find(Boolean) ?? null,
    status: progress.at(-1)?.milestone ?? null,
    carrier,
    trackingNumbers,
    trackingUrl: trackingUrlFor(scac, trackingNumbers[0] ?? proNumber ?? undefined),
    billOfLading,
    proNumber,
    purchaseOrderNumbers,
    references: [...new Map(references.map((r) => [`${r.qualifier}:${r.value}`, r])).values()],
    shippedAt: text(notice['shippedAt']),
    estimatedDeliveryAt: estimates.at(-1)?.eta ?? null,
    deliveredAt: delivered?.occurredAt ?? null,
    proofOfDelivery: delivered?.proofOfDelivery ?? null,
    milestones,
    updatedAt: (byReceipt.at(-1)?.receivedAt ?? new Date(0)).toISOString(),
  };
}

export const shipmentViewSchema: SchemaObject = {
  type: 'object',
  required: [
    'id',
    'shipmentId',
    'status',
    'carrier',
    'trackingNumbers',
    'trackingUrl',
    'billOfLading',
    'proNumber',
    'purchaseOrderNumbers',
    'references',
    'shippedAt',
    'estimatedDeliveryAt',
    'deliveredAt',
    'proofOfDelivery',
    'milestones',
    'updatedAt',
  ],
  properties: {
    id: { type: 'string', description: 'the ASN shipment id, else the identifier the shipment was found by' },
    shipmentId: { type: 'string', nullable: true },
    status: { type: 'string', nullable: true, description: 'the latest progress milestone' },
    carrier: { type: 'object', nullable: true },
    trackingNumbers: { type: 'array', items: { type: 'string' } },
    trackingUrl: { type: 'string', nullable: true },
    billOfLading: { type: 'string', nullable: true },
    proNumber: { type: 'string', nullable: true },
    purchaseOrderNumbers: { type: 'array', items: { type: 'string' } },
    references: {
      type: 'array',
      items: {
        type: 'object',
        required: ['qualifier', 'value'],
        properties: { qualifier: { type: 'string' }, value: { type: 'string' } },
      },
    },
    shippedAt: { type: 'string', nullable: true },
    estimatedDeliveryAt: { type: 'string', nullable: true, description: 'the latest estimate received' },
    deliveredAt: { type: 'string', nullable: true },
    proofOfDelivery: { type: 'object', nullable: true },
    milestones: {
      type: 'array',
      description: 'normalized milestones in the order they happened',
      items: {
        type: 'object',
        required: [
          'milestone',
          'statusCode',
          'reasonCode',
          'occurredAt',
          'location',
          'proofOfDelivery',
          'eventId',
          'receivedAt',
        ],
        properties: {
          milestone: { type: 'string' },
          statusCode: { type: 'string' },
          reasonCode: { type: 'string', nullable: true },
          occurredAt: { type: 'string' },
          location: { type: 'object', nullable: true },
          proofOfDelivery: { type: 'object', nullable: true },
          eventId: { type: 'string' },
          receivedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
