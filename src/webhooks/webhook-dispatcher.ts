import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Job } from 'pg-boss';
import { MISMATCH_FLAGS } from '../api/invoice-match.js';
import { ShipmentTracking } from '../api/shipment-tracking.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { OutboundState } from '../messages/message-state.js';
import type { Transition } from '../messages/message-store.js';
import { Pipeline } from '../messages/pipeline.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import type { WebhookEvent, WebhookEventType } from './webhook-event-type.js';
import { postWebhook, WebhookTargetRefused } from './webhook-post.js';
import { signWebhook, SIGNATURE_HEADER } from './webhook-signature.js';
import { WebhookSubscriptions, type WebhookSubscription } from './webhook-subscriptions.js';

export const WEBHOOK_QUEUE = 'crossdock.webhook';

/** Until the receiver answers 2xx: 8 retries, the delay doubling from 1 s up to 10 min. */
const WEBHOOK_RETRIES = { retryLimit: 8, retryDelay: 1, retryBackoff: true, retryDelayMax: 600 } as const;

interface WebhookJob {
  readonly tenantId: string;
  readonly messageId: string;
  readonly subscriptionId: string;
}

interface StoredDocument {
  natural_key: string;
  partner_id: string | null;
  document_type: string;
  canonical: Record<string, unknown>;
}

/**
 * Turns pipeline transitions into partner events. Each delivery is an outbound message on the
 * `webhook` channel (so it shows in the partner's message history), POSTed signed by a pg-boss
 * job that retries with backoff until the receiver answers 2xx; then the message is `sent`.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);

  constructor(
    private readonly pipeline: Pipeline,
    private readonly subscriptions: WebhookSubscriptions,
    private readonly tracking: ShipmentTracking,
    private readonly tenants: TenantRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // A process that works no jobs (the OpenAPI generator) neither delivers nor raises events.
    if (!this.pipeline.isWorking) return;
    const boss = this.pipeline.jobs.boss;
    await boss.createQueue(WEBHOOK_QUEUE, { heartbeatSeconds: 10, expireInSeconds: 60 });
    await boss.work<WebhookJob>(WEBHOOK_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
      for (const job of jobs) await this.deliver(job);
    });
    this.pipeline.store.onTransition((transition) => {
      // After commit, outside the pipeline's transaction: an event's failure never undoes the pipeline.
      this.eventsFor(transition).catch((error: unknown) =>
        this.logger.warn(`webhook events: ${String(error)}`),
      );
    });
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.pipeline.isWorking) return;
    await this.pipeline.jobs.boss.offWork(WEBHOOK_QUEUE).catch(() => undefined);
  }

  private async eventsFor(t: Transition): Promise<void> {
    if (!t.documentId) {
      if (t.to === 'rejected') await this.messageRejected(t);
      return;
    }
    const storedNow = t.from === null;
    const delivered = t.to === 'delivered';
    if (!storedNow && !delivered) return;
    const [document] = (await this.pipeline.dataSource.query(
      `SELECT natural_key, partner_id, document_type, canonical FROM documents WHERE tenant_id = $1 AND id = $2`,
      [t.tenantId, t.documentId],
    )) as StoredDocument[];
    if (!document?.partner_id) return;
    if (storedNow && document.document_type === 'TrackingEvent')
      await this.trackingUpdated(t.tenantId, document);
    if (storedNow && document.document_type === 'Order') {
      await this.toOwner(t.tenantId, document.partner_id, 'order.status_changed', `${document.natural_key}`, {
        id: document.natural_key,
        orderNumber: document.canonical['orderNumber'],
        status: document.canonical['status'],
      });
    }
    if (delivered && document.document_type === 'FreightInvoice') {
      const flags = ((t.detail as { odoo?: { flags?: string[] } } | undefined)?.odoo?.flags ?? []).filter(
        (f) => typeof f === 'string',
      );
      const type = flags.some((f) => MISMATCH_FLAGS.includes(f)) ? 'invoice.unmatched' : 'invoice.matched';
      await this.toOwner(t.tenantId, document.partner_id, type, document.natural_key, {
        id: document.natural_key,
        invoiceNumber: document.canonical['invoiceNumber'],
        flags,
      });
    }
  }

  private async messageRejected(t: Transition): Promise<void> {
    const [message] = (await this.pipeline.dataSource.query(
      `SELECT partner_id, document_type, diagnostics FROM messages WHERE tenant_id = $1 AND id = $2 AND direction = 'inbound'`,
      [t.tenantId, t.messageId],
    )) as { partner_id: string | null; document_type: string | null; diagnostics: unknown[] }[];
    if (!message?.partner_id) return;
    await this.toOwner(t.tenantId, message.partner_id, 'message.rejected', t.messageId, {
      messageId: t.messageId,
      documentType: message.document_type,
      cause: t.cause,
      diagnostics: message.diagnostics,
    });
  }

  /** Every subscriber that may see the shipment: partners that took part in it, customers that own it. */
  private async trackingUpdated(tenantId: string, document: StoredDocument): Promise<void> {
    const ref = (document.canonical['shipmentRef'] ?? {}) as Record<string, unknown>;
    const key = [ref['shipmentId'], ref['billOfLading'], ref['proNumber'], ref['carrierReference']].find(
      (v): v is string => typeof v === 'string' && v.length > 0,
    );
    if (!key) return;
    for (const subscription of await this.subscriptions.subscribedTo(tenantId, 'tracking.updated')) {
      const partner = this.tenants.partner(tenantId, subscription.partnerId);
      if (!partner) continue;
      const scope = new TenantScope(tenantId, partner.id, partner.customerAccount);
      const view =
        partner.kind === 'customer'
          ? await this.tracking.forCustomer(scope, key)
          : await this.tracking.forPartner(scope, key);
      if (view) await this.publish(tenantId, subscription, 'tracking.updated', document.natural_key, view);
    }
  }

  private async toOwner(
    tenantId: string,
    partnerId: string,
    type: WebhookEventType,
    subject: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    for (const subscription of await this.subscriptions.subscribedTo(tenantId, type)) {
      if (subscription.partnerId === partnerId)
        await this.publish(tenantId, subscription, type, subject, data);
    }
  }

  private async publish(
    tenantId: string,
    subscription: WebhookSubscription,
    type: WebhookEventType,
    subject: string,
    data: object,
  ): Promise<void> {
    const event: WebhookEvent & { documentType: string } = {
      documentType: 'WebhookEvent',
      id: randomUUID(),
      type,
      occurredAt: new Date().toISOString(),
      partnerId: subscription.partnerId,
      data: data as Record<string, unknown>,
    };
    // One delivery per subscription and subject: a replayed document does not notify twice. The
    // POST job is written with the message row, so a crash cannot leave a message nobody sends.
    await this.pipeline.publish.run(
      tenantId,
      subscription.partnerId,
      { ...event },
      {
        channel: 'webhook',
        dedupeKey: `webhook:${subscription.id}:${type}:${subject}`,
        followUp: {
          queue: WEBHOOK_QUEUE,
          data: (messageId): WebhookJob => ({ tenantId, messageId, subscriptionId: subscription.id }),
          options: WEBHOOK_RETRIES,
        },
      },
    );
  }

  private async deliver(job: Job<WebhookJob>): Promise<void> {
    const { tenantId, messageId, subscriptionId } = job.data;
    const target = await this.subscriptions.target(tenantId, subscriptionId);
    const [message] = (await this.pipeline.dataSource.query(
      `SELECT payload, state FROM messages WHERE tenant_id = $1 AND id = $2 AND channel = 'webhook'`,
      [tenantId, messageId],
    )) as { payload: Buffer; state: string }[];
    if (!message || message.state !== OutboundState.Queued) return;
    // A delivery that will never be made says so instead of staying queued for ever.
    const giveUp = (reason: string) =>
      this.pipeline.store.settleOutbound(
        tenantId,
        messageId,
        OutboundState.Rejected,
        `not delivered: ${reason}`,
      );
    if (!target) {
      await giveUp('the subscription was deleted');
      return;
    }
    const body = message.payload.toString('utf8');
    const type = (JSON.parse(body) as { type: string }).type;
    let failure: string;
    try {
      const status = await postWebhook(
        target.url,
        {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(target.secret, body),
          'crossdock-event': type,
          'crossdock-delivery': messageId,
        },
        body,
        { allowLoopback: this.config.demoMode, timeoutMs: 10_000 },
      );
      if (status >= 200 && status <= 299) {
        await this.pipeline.store.settleOutbound(
          tenantId,
          messageId,
          OutboundState.Sent,
          `delivered to ${target.url} (HTTP ${status})`,
        );
        return;
      }
      failure = `${target.url} answered HTTP ${status}`;
    } catch (error) {
      // Retries cannot make a refused target public.
      if (error instanceof WebhookTargetRefused) {
        await giveUp(error.message);
        return;
      }
      failure = `${target.url}: ${error instanceof Error ? error.message : String(error)}`;
    }
    const attempt = job.retryCount + 1;
    if (job.retryCount >= WEBHOOK_RETRIES.retryLimit) {
      await giveUp(`gave up after ${attempt} attempts; the last: ${failure}`);
      return;
    }
    // The message shows each failed attempt while it waits for the next one.
    await this.pipeline.dataSource.query(
      `UPDATE messages SET attempts = attempts + 1, last_error = $3, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND state = 'queued'`,
      [tenantId, messageId, `attempt ${attempt} failed: ${failure.slice(0, 500)}`],
    );
    // Throwing hands the job back to pg-boss, which retries it with backoff.
    throw new Error(`webhook delivery attempt ${attempt}: ${failure}`);
  }
}
