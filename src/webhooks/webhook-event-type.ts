/** The events a partner can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'tracking.updated',
  'order.status_changed',
  'message.rejected',
  'invoice.matched',
  'invoice.unmatched',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The JSON body of one delivery. */
export interface WebhookEvent {
  readonly id: string;
  readonly type: WebhookEventType;
  readonly occurredAt: string;
  readonly partnerId: string;
  readonly data: Readonly<Record<string, unknown>>;
}
