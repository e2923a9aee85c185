import { randomUUID } from 'node:crypto';
import type { SendOptions } from 'pg-boss';
import type { DataSource } from 'typeorm';
import { renderDocument, type RenderTarget } from '../../edi/render-document.js';
import type { PartnerDefinition, TenantDefinition } from '../../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { holdControlNumbers } from '../control-numbers.js';
import { QUEUES, type JobQueue } from '../job-queue.js';
import {
  MESSAGE_COLUMNS,
  toMessageSummary,
  type MessageRow,
  type MessageSummary,
} from '../message-records.js';
import { OutboundState } from '../message-state.js';
import type { MessageStore, Transition } from '../message-store.js';

/** A job that carries a new outbound message further (a webhook POST), named by the message id. */
export interface FollowUpJob {
  readonly queue: string;
  readonly data: (messageId: string) => object;
  readonly options?: SendOptions;
}

export interface AckTimeoutJob {
  readonly tenantId: string;
  readonly messageId: string;
}

/** Which EDI rendering a partner takes for a canonical document type, from its `edi.documents`. */
const TARGETS: Readonly<Record<string, readonly RenderTarget[]>> = {
  ShipmentNotice: ['x12-856', 'edifact-desadv'],
  TrackingEvent: ['x12-214', 'edifact-iftsta'],
  FreightInvoice: ['x12-210', 'edifact-invoic'],
};

export function renderTargetFor(partner: PartnerDefinition, documentType: string): RenderTarget | undefined {
  const wanted = partner.edi?.documents ?? [];
  return TARGETS[documentType]?.find((target) => wanted.includes(target));
}

/** The interchange's sender (the tenant) and receiver (the partner), as renderDocument takes them. */
export function outboundIdentity(
  tenant: TenantDefinition,
  partner: PartnerDefinition,
  target: RenderTarget,
): { sender: string; receiver: string } {
  if (target.startsWith('x12-')) {
    const ours = tenant.edi.x12;
    const theirs = partner.edi?.x12;
    if (!ours || !theirs)
      throw new Error(`X12 identities missing for tenant ${tenant.id} or partner ${partner.id}`);
    return {
      sender: `${ours.isaQualifier}:${ours.isaId}`,
      receiver: `${theirs.isaQualifier}:${theirs.isaId}`,
    };
  }
  const ours = tenant.edi.edifact;
  const theirs = partner.edi?.edifact;
  if (!ours || !theirs)
    throw new Error(`EDIFACT identities missing for tenant ${tenant.id} or partner ${partner.id}`);
  // UNB S002/S003: identification and, when the tenant file gives one, its code qualifier.
  const party = (p: { unbId: string; unbQualifier?: string }): string =>
    p.unbQualifier ? `${p.unbId}:${p.unbQualifier}` : p.unbId;
  return { sender: party(ours), receiver: party(theirs) };
}

/**
 * Outbound: a canonical document for a partner (an 856 for a shipped order, say) rendered in the
 * format that partner takes, with the next control numbers of its counters, into the outbox.
 * An acknowledgement is then expected within the tenant's SLA, or the message turns `ack_overdue`.
 */
export class PublishOutbound {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: MessageStore,
    private readonly jobs: JobQueue,
    private readonly tenants: TenantRegistry,
  ) {}

  async run(
    tenantId: string,
    partnerId: string,
    document: Readonly<Record<string, unknown>>,
    options: {
      correlationId?: string;
      channel?: 'sftp' | 'sftp-poll' | 'as2' | 'rest' | 'webhook';
      /** The event this document answers: a second publish with the same key returns the first message. */
      dedupeKey?: string;
      /** Queued in the transaction that writes the message: no row is ever committed without it. */
      followUp?: FollowUpJob;
    } = {},
  ): Promise<MessageSummary & { readonly published: boolean }> {
    const tenant = this.tenants.tenant(tenantId);
    const partner = this.tenants.partner(tenantId, partnerId);
    if (!tenant || !partner) throw new Error(`no partner ${partnerId} in tenant ${tenantId}`);
    const documentType = String(document['documentType']);
    const target = renderTargetFor(partner, documentType);
    const channel =
      options.channel ??
      (partner.channels.find((c) => c.type === 'sftp' || c.type === 'sftp-poll' || c.type === 'as2')?.type as
        'sftp' | 'sftp-poll' | 'as2' | undefined) ??
      'rest';
    const id = randomUUID();
    const transitions: Transition[] = [];
    let published = true;
    const row = await this.dataSource.transaction(async (manager) => {
      if (options.dedupeKey) {
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `${tenantId}/${partnerId}/${options.dedupeKey}`,
        ]);
        const [existing] = (await manager.query(
          `SELECT ${MESSAGE_COLUMNS} FROM messages
            WHERE tenant_id = $1 AND partner_id = $2 AND direction = 'outbound' AND correlation_id = $3
              -- A document that could not be rendered (kept as JSON for an EDI target) may come again, mended.
              AND NOT (state = 'rejected' AND format = 'json' AND (document_type LIKE 'x12-%' OR document_type LIKE 'edifact-%'))
            LIMIT 1`,
          [tenantId, partnerId, options.dedupeKey],
        )) as MessageRow[];
        if (existing) {
          published = false;
          return existing;
        }
      }
      let payload: Buffer;
      let format: string;
      let contentType: string;
      let controlNumber: string | null = null;
      let groupNumber: string | null = null;
      // Set when the document cannot become valid EDI for this partner: kept, visible, not sent.
      let notRendered: string | undefined;
      if (target) {
        // Held, not reserved: a document render refuses must not use up numbers (see control-numbers.ts).
        const numbers = await holdControlNumbers(manager, tenantId, partnerId);
        let used: string | null = null;
        let usedGroup: string | null = null;
        const rendered = renderDocument(document, target, {
          ...outboundIdentity(tenant, partner, target),
          partnerId,
          timeZone: partner.timeZone,
          ...(partner.edi?.edifact?.syntaxIdentifier
            ? { syntaxIdentifier: partner.edi.edifact.syntaxIdentifier }
            : {}),
          controlNumbers: (kind) => {
            const value = numbers.next(kind);
            if (kind === 'interchange') used = String(value);
            if (kind === 'group') usedGroup = String(value);
            return value;
          },
        });
        if (!rendered.text) {
          // A document that cannot be rendered (a field the format needs is missing, a value does
          // not fit) is recorded as rejected with the reasons and its canonical JSON, rather than
          // thrown: the caller (the Odoo poller, a webhook) goes on with the next one.
          const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
          notRendered = `${documentType} not rendered as ${target}: ${(errors.length > 0
            ? errors
            : rendered.diagnostics
          )
            .map((d) => d.message)
            .join('; ')}`;
          payload = Buffer.from(JSON.stringify(document), 'utf8');
          format = 'json';
          contentType = 'application/json';
        } else {
          await numbers.keep();
          // In the character set the UNB declares (UNOC: ISO 8859-1), as AS2 and SFTP send it.
          payload = rendered.bytes;
          format = target.startsWith('x12-') ? 'x12' : 'edifact';
          contentType = format === 'x12' ? 'application/edi-x12' : 'application/edifact';
          controlNumber = used;
          groupNumber = usedGroup;
        }
      } else {
        payload = Buffer.from(JSON.stringify(document), 'utf8');
        format = 'json';
        contentType = 'application/json';
      }
      const environment =
        (document['source'] as { environment?: string } | undefined)?.environment === 'test'
          ? 'test'
          : partner.environment;
      const [inserted] = (await manager.query(
        `INSERT INTO messages (id, tenant_id, partner_id, direction, channel, format, document_type, state, environment,
           correlation_id, content_type, payload, payload_sha256, payload_size, interchange_sender, interchange_control_number,
           group_control_number)
         VALUES ($1, $2, $3, 'outbound', $4, $5, $6, $7, $8, $9, $10, $11, encode(sha256($11), 'hex'), $12, $13, $14, $15)
         RETURNING ${MESSAGE_COLUMNS}`,
        [
          id,
          tenantId,
          partnerId,
          channel,
          format,
          target ?? documentType,
          notRendered ? OutboundState.Rejected : OutboundState.Queued,
          environment,
          options.dedupeKey ?? options.correlationId ?? id,
          contentType,
          payload,
          payload.length,
          target?.startsWith('x12-') ? (tenant.edi.x12?.isaId ?? null) : (tenant.edi.edifact?.unbId ?? null),
          controlNumber,
          groupNumber,
        ],
      )) as MessageRow[];
      transitions.push(
        await this.store.record(manager, {
          tenantId,
          messageId: id,
          from: null,
          to: notRendered ? OutboundState.Rejected : OutboundState.Queued,
          cause:
            notRendered ??
            `${documentType} rendered as ${target ?? 'canonical JSON'} for ${partnerId}${controlNumber ? `, interchange ${controlNumber}` : ''}`,
        }),
      );
      if (notRendered) return inserted!;
      if (target) {
        const minutes = tenant.slas['ackWithinMinutes'] ?? 60;
        const job: AckTimeoutJob = { tenantId, messageId: id };
        await this.jobs.sendInTransaction(manager, QUEUES.ackTimeout, job, {
          startAfter: new Date(Date.now() + minutes * 60_000),
          retryLimit: 3,
        });
      }
      if (options.followUp) {
        const { queue, data, options: sendOptions } = options.followUp;
        await this.jobs.sendInTransaction(manager, queue, data(id), sendOptions);
      }
      return inserted!;
    });
    this.store.notify(transitions);
    return { ...toMessageSummary(row), published };
  }

  /** The ack-timeout job: still unacknowledged when the SLA ran out. */
  async checkAck(job: AckTimeoutJob): Promise<void> {
    const transitions: Transition[] = [];
    await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT state FROM messages WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
        [job.tenantId, job.messageId],
      )) as { state: string }[];
      if (!row || (row.state !== OutboundState.Queued && row.state !== OutboundState.Sent)) return;
      await manager.query(`UPDATE messages SET state = $2, updated_at = now() WHERE id = $1`, [
        job.messageId,
        OutboundState.AckOverdue,
      ]);
      transitions.push(
        await this.store.record(manager, {
          tenantId: job.tenantId,
          messageId: job.messageId,
          from: row.state as OutboundState,
          to: OutboundState.AckOverdue,
          cause: 'no acknowledgement within the SLA',
        }),
      );
    });
    this.store.notify(transitions);
  }
}
