import type { DataSource } from 'typeorm';
import { retrySettingsFor } from '../../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { CHANNEL_REFUSED_RULE } from '../channel-refusal.js';
import { flowOf } from '../document-flow.js';
import { QUEUES, deliveryJobOptions, type DeliverJob, type JobQueue } from '../job-queue.js';
import { InboundState } from '../message-state.js';
import type { MessageStore, Transition } from '../message-store.js';

export type ReplayMode = 'auto' | 'retranslate' | 'redeliver';

export interface ReplayResult {
  readonly messageId: string;
  readonly mode: 'retranslate' | 'redeliver' | 'nothing';
  readonly documents: number;
  readonly reason: string;
}

const REDELIVERABLE = [InboundState.DeadLettered, InboundState.Failed, InboundState.HeldTest] as const;
const RETRANSLATABLE = [InboundState.Rejected, InboundState.Duplicate, InboundState.DeadLettered] as const;

/**
 * Re-runs a message from what is stored, after its cause was fixed: its dead-lettered (or held)
 * documents are delivered again, or, for a rejected or duplicate message, the stored payload is
 * translated again. Odoo external ids keep a replay from duplicating records.
 */
export class ReplayMessage {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: MessageStore,
    private readonly jobs: JobQueue,
    private readonly tenants: TenantRegistry,
  ) {}

  async run(
    tenantId: string,
    messageId: string,
    options: { mode?: ReplayMode; actor: string; partnerId?: string },
  ): Promise<ReplayResult | undefined> {
    const transitions: Transition[] = [];
    const result = await this.dataSource.transaction(async (manager): Promise<ReplayResult | undefined> => {
      const [message] = (await manager.query(
        `SELECT id, state, direction, diagnostics @> $4::jsonb AS refused FROM messages
          WHERE tenant_id = $1 AND id = $2 AND ($3::text IS NULL OR partner_id = $3) FOR UPDATE`,
        [tenantId, messageId, options.partnerId ?? null, JSON.stringify([{ rule: CHANNEL_REFUSED_RULE }])],
      )) as { id: string; state: InboundState; direction: string; refused: boolean }[];
      if (!message) return undefined;
      if (message.refused) {
        // Its bytes were never authenticated or taken in (a forged or undecryptable message must not
        // reach translation by a replay): only the partner sending it again brings it in.
        return {
          messageId,
          mode: 'nothing',
          documents: 0,
          reason: 'refused by its channel before it was accepted: the partner must send it again',
        };
      }
      if (message.direction !== 'inbound') {
        return {
          messageId,
          mode: 'nothing',
          documents: 0,
          reason: 'outbound messages are re-sent by their channel',
        };
      }
      const mode = options.mode ?? 'auto';
      const documents = (await manager.query(
        `SELECT id, document_type, state, environment FROM documents WHERE message_id = $1 AND state = ANY($2::text[]) FOR UPDATE`,
        [messageId, [...REDELIVERABLE]],
      )) as { id: string; document_type: string; state: InboundState; environment: string }[];
      const tenant = this.tenants.tenant(tenantId);
      const deliverable = documents.filter((d) => d.state !== InboundState.HeldTest || tenant?.odoo.sandbox);

      if ((mode === 'redeliver' || mode === 'auto') && deliverable.length > 0 && tenant) {
        for (const document of deliverable) {
          const flow = flowOf(document.document_type);
          const policy = retrySettingsFor(tenant.pipeline, flow);
          await manager.query(
            `UPDATE documents SET state = $2, attempts = 0, target = CASE WHEN environment = 'test' THEN 'sandbox' ELSE 'production' END,
               updated_at = now() WHERE id = $1`,
            [document.id, InboundState.Translated],
          );
          transitions.push(
            await this.store.record(manager, {
              tenantId,
              messageId,
              documentId: document.id,
              from: document.state,
              to: InboundState.Translated,
              cause: `replayed by ${options.actor}`,
            }),
          );
          const job: DeliverJob = { documentId: document.id, tenantId, maxAttempts: policy.maxAttempts };
          await this.jobs.sendInTransaction(
            manager,
            QUEUES.deliver,
            job,
            deliveryJobOptions(tenantId, policy),
          );
        }
        if (message.state !== InboundState.Delivering) {
          await manager.query(
            `UPDATE messages SET state = $2, last_error = NULL, updated_at = now() WHERE id = $1`,
            [messageId, InboundState.Delivering],
          );
          transitions.push(
            await this.store.record(manager, {
              tenantId,
              messageId,
              from: message.state,
              to: InboundState.Delivering,
              cause: `replayed by ${options.actor}: ${deliverable.length} document(s) to deliver again`,
            }),
          );
        }
        return {
          messageId,
          mode: 'redeliver',
          documents: deliverable.length,
          reason: 'documents queued for delivery again',
        };
      }

      if (
        mode === 'retranslate' ||
        (mode === 'auto' && (RETRANSLATABLE as readonly string[]).includes(message.state))
      ) {
        // The earlier run's documents stay for the record; a new run starts from the stored bytes.
        await manager.query(
          `UPDATE documents SET state = 'rejected', last_error = 'superseded by a replay', updated_at = now()
            WHERE message_id = $1 AND state <> 'delivered'`,
          [messageId],
        );
        // A replayed duplicate must not meet its own earlier receipt again.
        await manager.query(`DELETE FROM interchange_receipts WHERE message_id = $1`, [messageId]);
        await manager.query(
          `UPDATE messages SET state = $2, duplicate_of = NULL, diagnostics = '[]', last_error = NULL, updated_at = now() WHERE id = $1`,
          [messageId, InboundState.Received],
        );
        transitions.push(
          await this.store.record(manager, {
            tenantId,
            messageId,
            from: message.state,
            to: InboundState.Received,
            cause: `replayed by ${options.actor}: translating the stored payload again`,
          }),
        );
        await this.jobs.sendTranslate(manager, {
          messageId,
          tenantId,
          ignoreDuplicate: message.state === InboundState.Duplicate,
        });
        return {
          messageId,
          mode: 'retranslate',
          documents: 0,
          reason: 'stored payload queued for translation',
        };
      }
      return {
        messageId,
        mode: 'nothing',
        documents: 0,
        reason: `nothing to replay in state ${message.state}`,
      };
    });
    this.store.notify(transitions);
    return result;
  }
}
