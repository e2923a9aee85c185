import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { PagePosition } from '../common/page-cursor.js';
import { storableJson, storableText } from '../common/storable-text.js';
import type { WaitingMessagesSample } from '../ops/metrics.js';
import { CHANNEL_REFUSED_RULE, refusalDiagnostic, type ChannelRefusal } from './channel-refusal.js';
import type { JobQueue } from './job-queue.js';
import {
  MESSAGE_COLUMNS,
  toMessageSummary,
  type DocumentRecord,
  type MessageDetail,
  type MessageEvent,
  type MessageRow,
  type MessageSummary,
} from './message-records.js';
import {
  InboundState,
  OutboundState,
  type Channel,
  type DocumentState,
  type MessageState,
} from './message-state.js';
import { detectPayloadFormat } from './payload-format.js';

export interface ReceiveInput {
  /** Set when the channel must name the message before storing it (a REST document's `source.messageId`). */
  readonly id?: string;
  readonly tenantId: string;
  readonly partnerId: string;
  readonly channel: Channel;
  readonly payload: Buffer;
  readonly contentType?: string;
  readonly fileName?: string;
  readonly correlationId?: string;
  /** The partner's configured environment; a test interchange can still mark its documents test. */
  readonly environment: 'test' | 'production';
}

/** What a channel refused: `partnerId` is null when the sender is known to no partner of the tenant. */
export interface RefusedInput extends Omit<ReceiveInput, 'partnerId'> {
  readonly partnerId: string | null;
  readonly refusal: ChannelRefusal;
  /**
   * Keep only this many first bytes in the message (its sha256 and size stay those of the whole):
   * for bytes the channel keeps in full already (an AS2 transfer), received from anyone.
   */
  readonly keepPrefix?: number;
}

export interface Transition {
  readonly tenantId: string;
  readonly messageId: string;
  readonly documentId?: string;
  readonly from: MessageState | DocumentState | null;
  readonly to: MessageState | DocumentState;
  readonly cause: string;
  readonly attempt?: number;
  readonly detail?: unknown;
}

/** Told of every recorded transition after its transaction committed (the audit log listens). */
export type TransitionListener = (transition: Transition) => void;

export interface MessageFilter {
  readonly partnerId?: string;
  readonly state?: string;
  readonly direction?: 'inbound' | 'outbound';
  readonly documentType?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly correlationId?: string;
  /** Leaves out what a channel refused before accepting it (a CHANNEL_REFUSED diagnostic): never replayable. */
  readonly excludeChannelRefused?: boolean;
  /** Keyset cursor: the (received_at in µs, id) of the last row of the previous page. */
  readonly after?: PagePosition;
  readonly limit: number;
}

/**
 * The durable inbox/outbox. `receive` is what every channel calls: the payload row and its first
 * job are committed in one transaction before the channel may acknowledge the transport.
 */
export class MessageStore {
  private readonly listeners: TransitionListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
  ) {}

  onTransition(listener: TransitionListener): void {
    this.listeners.push(listener);
  }

  async receive(input: ReceiveInput): Promise<MessageSummary> {
    const { message, transitions } = await this.dataSource.transaction((manager) =>
      this.receiveIn(manager, input),
    );
    this.notify(transitions);
    return message;
  }

  /**
   * `receive` inside the caller's transaction, for a channel that must tie the message to its own
   * record atomically (an AS2 transfer); the caller hands `transitions` to `notify` after commit.
   */
  async receiveIn(
    manager: EntityManager,
    input: ReceiveInput,
  ): Promise<{ message: MessageSummary; transitions: Transition[] }> {
    const { row, transition } = await this.insertInbound(manager, input, InboundState.Received);
    await this.jobs.sendTranslate(manager, { messageId: row.id, tenantId: input.tenantId });
    return { message: toMessageSummary(row), transitions: [transition] };
  }

  /**
   * Keeps what a channel received and refused before accepting it (bad signature, undecryptable,
   * too large…): listed as rejected with the reason and the bytes as received, so the tenant sees
   * the partner's attempt and why it failed. No job: it is never translated.
   */
  async refuse(input: RefusedInput): Promise<MessageSummary> {
    const { row, transition } = await this.dataSource.transaction((manager) =>
      this.insertInbound(manager, input, InboundState.Rejected, input.refusal),
    );
    this.notify([transition]);
    return toMessageSummary(row);
  }

  private async insertInbound(
    manager: EntityManager,
    input: ReceiveInput | RefusedInput,
    state: InboundState.Received | InboundState.Rejected,
    refusal?: ChannelRefusal,
  ): Promise<{ row: MessageRow; transition: Transition }> {
    const id = input.id ?? randomUUID();
    const correlationId = input.correlationId ?? id;
    const sha256 = createHash('sha256').update(input.payload).digest('hex');
    const prefix = 'keepPrefix' in input ? input.keepPrefix : undefined;
    const kept = prefix === undefined ? input.payload : input.payload.subarray(0, prefix);
    const [row] = (await manager.query(
      `INSERT INTO messages (id, tenant_id, partner_id, direction, channel, format, state, environment, correlation_id,
         content_type, file_name, payload, payload_sha256, payload_size, diagnostics, last_error)
       VALUES ($1, $2, $3, 'inbound', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       RETURNING ${MESSAGE_COLUMNS}`,
      [
        id,
        input.tenantId,
        input.partnerId,
        input.channel,
        detectPayloadFormat(input.payload),
        state,
        input.environment,
        correlationId,
        input.contentType ?? null,
        input.fileName ?? null,
        kept,
        sha256,
        input.payload.length,
        refusal ? storableJson([refusalDiagnostic(input.channel, refusal)]) : '[]',
        refusal ? storableText(refusal.reason) : null,
      ],
    )) as MessageRow[];
    const transition = await this.record(manager, {
      tenantId: input.tenantId,
      messageId: id,
      from: null,
      to: state,
      cause: refusal ? `refused by ${input.channel}: ${refusal.reason}` : `received over ${input.channel}`,
      detail: {
        sha256,
        size: input.payload.length,
        fileName: input.fileName,
        ...(refusal ? { refusal: refusal.code } : {}),
      },
    });
    return { row: row!, transition };
  }

  /** Appends a transition to the history inside the caller's transaction; call `notify` after commit. */
  async record(manager: EntityManager, transition: Transition): Promise<Transition> {
    await manager.query(
      `INSERT INTO message_events (tenant_id, message_id, document_id, from_state, to_state, cause, attempt, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        transition.tenantId,
        transition.messageId,
        transition.documentId ?? null,
        transition.from,
        transition.to,
        storableText(transition.cause),
        transition.attempt ?? null,
        transition.detail === undefined ? null : storableJson(transition.detail),
      ],
    );
    return transition;
  }

  notify(transitions: readonly Transition[]): void {
    for (const transition of transitions) {
      for (const listener of this.listeners) {
        try {
          listener(transition);
        } catch {
          // A listener's failure must never undo or block the pipeline.
        }
      }
    }
  }

  /**
   * Moves an outbound message on (a channel handed it over, or the partner acknowledged or
   * rejected it) and records why. Returns false when it was not in a state that allows the move.
   */
  async settleOutbound(
    tenantId: string,
    messageId: string,
    to: OutboundState.Sent | OutboundState.Acknowledged | OutboundState.Rejected,
    cause: string,
    detail?: unknown,
  ): Promise<boolean> {
    const allowed: Record<string, readonly string[]> = {
      [OutboundState.Sent]: [OutboundState.Queued],
      [OutboundState.Acknowledged]: [OutboundState.Queued, OutboundState.Sent, OutboundState.AckOverdue],
      [OutboundState.Rejected]: [OutboundState.Queued, OutboundState.Sent, OutboundState.AckOverdue],
    };
    const transitions: Transition[] = [];
    const moved = await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT state FROM messages WHERE tenant_id = $1 AND id = $2 AND direction = 'outbound' FOR UPDATE`,
        [tenantId, messageId],
      )) as { state: string }[];
      if (!row || !allowed[to]!.includes(row.state)) return false;
      await manager.query(
        `UPDATE messages SET state = $2, attempts = attempts + 1, updated_at = now() WHERE id = $1`,
        [messageId, to],
      );
      transitions.push(
        await this.record(manager, {
          tenantId,
          messageId,
          from: row.state as OutboundState,
          to,
          cause,
          detail,
        }),
      );
      return true;
    });
    this.notify(transitions);
    return moved;
  }

  /** A partner's outbound messages still to be picked up or acknowledged, oldest first, with payloads. */
  async outbox(
    tenantId: string,
    partnerId: string,
    options: { channel?: Channel; states?: readonly OutboundState[]; limit?: number } = {},
  ): Promise<(MessageSummary & { payload: Buffer })[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS}, payload FROM messages
        WHERE tenant_id = $1 AND partner_id = $2 AND direction = 'outbound'
          AND ($3::text IS NULL OR channel = $3) AND state = ANY($4::text[])
        ORDER BY received_at, id LIMIT $5`,
      [
        tenantId,
        partnerId,
        options.channel ?? null,
        options.states ?? [OutboundState.Queued],
        options.limit ?? 1000,
      ],
    )) as (MessageRow & { payload: Buffer })[];
    return rows.map((row) => ({ ...toMessageSummary(row), payload: row.payload }));
  }

  /**
   * The payload as received. A refused AS2 request keeps only its first bytes in the message: the
   * whole is read from its transfer while that still holds these bytes (a later try of the same
   * Message-ID replaces them), else the first bytes are all there is (shorter than `payloadSize`).
   */
  async payload(tenantId: string, messageId: string): Promise<Buffer | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT m.payload, t.body AS transfer_body FROM messages m
         LEFT JOIN as2_transfers t
           ON octet_length(m.payload) < m.payload_size AND m.channel = 'as2'
          AND t.id::text = m.correlation_id AND t.tenant_id = m.tenant_id
          AND encode(sha256(t.body), 'hex') = m.payload_sha256
        WHERE m.tenant_id = $1 AND m.id = $2`,
      [tenantId, messageId],
    )) as { payload: Buffer; transfer_body: Buffer | null }[];
    return row ? (row.transfer_body ?? row.payload) : undefined;
  }

  /** One message with documents, history and acks; `partnerId` narrows to that partner's own messages. */
  async detail(tenantId: string, messageId: string, partnerId?: string): Promise<MessageDetail | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE tenant_id = $1 AND id = $2 AND ($3::text IS NULL OR partner_id = $3)`,
      [tenantId, messageId, partnerId ?? null],
    )) as MessageRow[];
    if (!row) return undefined;
    const documents = (await this.dataSource.query(
      `SELECT id, message_id, document_type, sequence, state, environment, target, transaction_control_number, attempts,
              last_error, odoo_model, odoo_id, odoo_external_id, delivered_at
         FROM documents WHERE tenant_id = $1 AND message_id = $2 ORDER BY sequence`,
      [tenantId, messageId],
    )) as {
      id: string;
      message_id: string;
      document_type: string;
      sequence: number;
      state: DocumentState;
      environment: 'test' | 'production';
      target: 'production' | 'sandbox' | null;
      transaction_control_number: string | null;
      attempts: number;
      last_error: string | null;
      odoo_model: string | null;
      odoo_id: number | null;
      odoo_external_id: string | null;
      delivered_at: Date | null;
    }[];
    const events = (await this.dataSource.query(
      `SELECT at, document_id, from_state, to_state, cause, attempt, detail FROM message_events
        WHERE tenant_id = $1 AND message_id = $2 ORDER BY id`,
      [tenantId, messageId],
    )) as {
      at: Date;
      document_id: string | null;
      from_state: string | null;
      to_state: string;
      cause: string;
      attempt: number | null;
      detail: unknown;
    }[];
    const acks = (await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE tenant_id = $1 AND related_message_id = $2 ORDER BY received_at`,
      [tenantId, messageId],
    )) as MessageRow[];
    return {
      ...toMessageSummary(row),
      diagnostics: row.diagnostics,
      documents: documents.map((d): DocumentRecord => ({
        id: d.id,
        messageId: d.message_id,
        documentType: d.document_type,
        sequence: d.sequence,
        state: d.state,
        environment: d.environment,
        target: d.target,
        transactionControlNumber: d.transaction_control_number,
        attempts: d.attempts,
        lastError: d.last_error,
        odoo:
          d.odoo_model && d.odoo_id !== null
            ? { model: d.odoo_model, id: d.odoo_id, externalId: d.odoo_external_id ?? '' }
            : null,
        deliveredAt: d.delivered_at?.toISOString() ?? null,
      })),
      history: events.map((e): MessageEvent => ({
        at: e.at.toISOString(),
        documentId: e.document_id,
        from: e.from_state,
        to: e.to_state,
        cause: e.cause,
        attempt: e.attempt,
        detail: e.detail,
      })),
      acknowledgements: acks.map(toMessageSummary),
    };
  }

  /**
   * Per tenant of `tenantIds` (zero included), the inbound messages in `received` for longer than
   * `olderThanSeconds`, and how long the oldest of them has waited.
   */
  async waitingInReceived(
    olderThanSeconds: number,
    tenantIds: readonly string[],
  ): Promise<WaitingMessagesSample[]> {
    const rows = (await this.dataSource.query(
      `SELECT t.id AS tenant_id, count(m.id)::int AS count,
              coalesce(extract(epoch FROM now() - min(m.received_at)), 0)::float8 AS oldest_seconds
         FROM unnest($3::text[]) AS t(id)
         LEFT JOIN messages m ON m.tenant_id = t.id AND m.state = $1 AND m.direction = 'inbound'
                             AND m.received_at < now() - make_interval(secs => $2)
        GROUP BY t.id ORDER BY t.id`,
      [InboundState.Received, olderThanSeconds, tenantIds],
    )) as { tenant_id: string; count: number; oldest_seconds: number }[];
    return rows.map((r) => ({ tenantId: r.tenant_id, count: r.count, oldestSeconds: r.oldest_seconds }));
  }

  /** A page of messages, newest first, keyset-paginated; `next` is the cursor of the following page. */
  async list(
    tenantId: string,
    filter: MessageFilter,
  ): Promise<{ items: MessageSummary[]; next?: PagePosition }> {
    const rows = (await this.dataSource.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
        WHERE tenant_id = $1
          AND ($2::text IS NULL OR partner_id = $2)
          AND ($3::text IS NULL OR state = $3)
          AND ($4::text IS NULL OR direction = $4)
          AND ($5::text IS NULL OR document_type = $5)
          AND ($6::timestamptz IS NULL OR received_at >= $6)
          AND ($7::timestamptz IS NULL OR received_at < $7)
          AND ($8::text IS NULL OR correlation_id = $8)
          AND ($9::bigint IS NULL OR (received_at, id) < ('epoch'::timestamptz + $9::bigint * interval '1 microsecond', $10::uuid))
          AND NOT ($12::boolean AND diagnostics @> $13::jsonb)
        ORDER BY received_at DESC, id DESC
        LIMIT $11`,
      [
        tenantId,
        filter.partnerId ?? null,
        filter.state ?? null,
        filter.direction ?? null,
        filter.documentType ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.correlationId ?? null,
        filter.after?.at ?? null,
        filter.after?.id ?? null,
        filter.limit,
        filter.excludeChannelRefused ?? false,
        JSON.stringify([{ rule: CHANNEL_REFUSED_RULE }]),
      ],
    )) as MessageRow[];
    const last = rows.at(-1);
    return {
      items: rows.map(toMessageSummary),
      ...(last && rows.length === filter.limit ? { next: { at: last.received_us, id: last.id } } : {}),
    };
  }
}
