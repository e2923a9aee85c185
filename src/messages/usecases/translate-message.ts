import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { storableJson, storableText } from '../../common/storable-text.js';
import { encodeWindows1252 } from '../../edi/edi-character-sets.js';
import type { Diagnostic } from '../../edi/edi-types.js';
import { loadMaps } from '../../edi/map-loader.js';
import { translateBuffer, type InterchangeInfo } from '../../edi/translate.js';
import { validateCanonical } from '../../canonical/canonical-validator.js';
import { retrySettingsFor, type TenantDefinition } from '../../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { updatedRows } from '../../database/updated-rows.js';
import { isaTerminator, numberAcknowledgements } from '../control-numbers.js';
import { flowOf, nextBatchSlot } from '../document-flow.js';
import { QUEUES, deliveryJobOptions, type DeliverJob, type JobQueue } from '../job-queue.js';
import {
  InboundState,
  OutboundState,
  aggregateState,
  type Channel,
  type DocumentState,
} from '../message-state.js';
import type { MessageStore, Transition } from '../message-store.js';

interface StoredMessage {
  id: string;
  tenant_id: string;
  partner_id: string | null;
  channel: Channel;
  format: string;
  state: string;
  environment: 'test' | 'production';
  correlation_id: string;
  payload: Buffer;
}

type Json = Record<string, unknown>;

/**
 * Records a transition in the caller's transaction, to be notified after its commit: of the message
 * translated unless `messageId` names another (an outbound message it settles or an ack it queues).
 */
type RecordTransition = (
  t: Omit<Transition, 'tenantId' | 'messageId'> & { readonly messageId?: string },
) => Promise<void>;

/**
 * Inbound step 2: the stored payload is parsed, validated and translated into canonical
 * documents; acknowledgements go to the outbox; each document gets its delivery job. Everything
 * after the parse is one transaction, so a crash leaves the message `received` and the job
 * (retried by pg-boss, then queued again by RecoverWaitingMessages) starts over.
 */
export class TranslateMessage {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: MessageStore,
    private readonly jobs: JobQueue,
    private readonly tenants: TenantRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async run(tenantId: string, messageId: string, options: { ignoreDuplicate?: boolean } = {}): Promise<void> {
    const [message] = (await this.dataSource.query(
      `SELECT id, tenant_id, partner_id, channel, format, state, environment, correlation_id, payload
         FROM messages WHERE tenant_id = $1 AND id = $2`,
      [tenantId, messageId],
    )) as StoredMessage[];
    if (!message || message.state !== InboundState.Received) return;
    const tenant = this.tenants.tenant(tenantId);
    const partner = message.partner_id ? this.tenants.partner(tenantId, message.partner_id) : undefined;

    if (message.format === 'json') {
      await this.acceptJson(message, tenant);
      return;
    }

    // Checked before translating: a translation that cannot happen is not worth its time.
    const partnerFile = partnerFileProblems(message.partner_id);
    if (partnerFile.length > 0) return this.waitForPartnerFile(message, partnerFile);
    // The acks are written with the engine's provisional control numbers (each kind counting from
    // 1); storeAcks gives them the partner's own in the transaction that stores them, so a
    // translation never holds numbers it may not use (see numberAcknowledgements).
    const translated = await translateBuffer(message.payload, {
      tenantId,
      ...(message.partner_id ? { partnerId: message.partner_id } : {}),
      ...(partner?.timeZone ? { timeZone: partner.timeZone } : {}),
      lenientIsa: partner?.edi?.x12?.lenientIsa ?? false,
      acks: true,
      channel:
        message.channel === 'sftp-poll' ? 'sftp' : message.channel === 'webhook' ? 'rest' : message.channel,
      messageId,
      correlationId: message.correlation_id,
      now: this.now,
    });
    // Envelope ids are partner text: one holding a NUL could not be stored or looked up.
    const result = {
      ...translated,
      interchanges: translated.interchanges.map((i) => ({
        ...i,
        sender: storableText(i.sender),
        receiver: storableText(i.receiver),
        controlNumber: storableText(i.controlNumber),
      })),
    };
    // The file broke between the check and the translation: the message waits all the same.
    const broken = result.diagnostics.filter((d) => d.rule === 'PARTNER_INVALID');
    if (broken.length > 0) {
      return this.waitForPartnerFile(
        message,
        broken.map((d) => d.message),
      );
    }

    const transitions: Transition[] = [];
    await this.dataSource.transaction(async (manager) => {
      const record: RecordTransition = async (t) => {
        transitions.push(await this.store.record(manager, { tenantId, messageId, ...t }));
      };
      const [locked] = (await manager.query(`SELECT state FROM messages WHERE id = $1 FOR UPDATE`, [
        messageId,
      ])) as {
        state: string;
      }[];
      if (locked?.state !== InboundState.Received) return;

      const first = result.interchanges[0];
      const duplicateOf = options.ignoreDuplicate
        ? undefined
        : await this.findDuplicate(manager, message, result.interchanges, tenant);
      await manager.query(
        `UPDATE messages SET interchange_sender = $2, interchange_control_number = $3, diagnostics = $4, last_error = NULL,
           updated_at = now() WHERE id = $1`,
        [messageId, first?.sender ?? null, first?.controlNumber ?? null, storableJson(result.diagnostics)],
      );
      if (duplicateOf) {
        await manager.query(`UPDATE messages SET state = $2, duplicate_of = $3 WHERE id = $1`, [
          messageId,
          InboundState.Duplicate,
          duplicateOf,
        ]);
        await record({
          from: InboundState.Received,
          to: InboundState.Duplicate,
          cause: `interchange ${first?.controlNumber} from ${first?.sender} was already received`,
          detail: { duplicateOf },
        });
        return;
      }
      await this.recordReceipts(manager, message, result.interchanges);
      const numberAcks = await this.storeAcks(manager, message, result.acks, result.ackBytes, record);

      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      if (result.documents.length === 0) {
        await manager.query(`UPDATE messages SET state = $2 WHERE id = $1`, [
          messageId,
          InboundState.Rejected,
        ]);
        await record({
          from: InboundState.Received,
          to: InboundState.Rejected,
          cause: errors.length > 0 ? summarize(errors) : 'no document in the input',
          detail: { errors: errors.length },
        });
        await numberAcks();
        return;
      }
      await manager.query(`UPDATE messages SET state = $2 WHERE id = $1`, [messageId, InboundState.Parsed]);
      await record({
        from: InboundState.Received,
        to: InboundState.Parsed,
        cause: parsedCause(result.interchanges),
      });

      // A rejected interchange (TA1 R, UCI 4) or functional group (AK9 R) is resent whole by the
      // partner: delivering its documents now would apply them twice.
      const states = await this.storeDocuments(
        manager,
        message,
        tenant,
        result.documents,
        record,
        (document) => result.rejections.reasonFor(document),
      );
      const types = [...new Set(result.documents.map((d) => String(d['documentType'])))];
      await manager.query(`UPDATE messages SET state = $2, document_type = $3 WHERE id = $1`, [
        messageId,
        InboundState.Translated,
        types.join(','),
      ]);
      await record({
        from: InboundState.Parsed,
        to: InboundState.Translated,
        cause: `${result.documents.length} canonical document(s): ${types.join(', ')}`,
        ...(errors.length > 0 ? { detail: { rejectedTransactionSets: errors.length } } : {}),
      });
      const aggregate = aggregateState(states);
      if (aggregate !== InboundState.Delivering) {
        await manager.query(`UPDATE messages SET state = $2 WHERE id = $1`, [messageId, aggregate]);
        await record({ from: InboundState.Translated, to: aggregate, cause: 'no document to deliver' });
      } else {
        await manager.query(`UPDATE messages SET state = $2 WHERE id = $1`, [
          messageId,
          InboundState.Delivering,
        ]);
        await record({
          from: InboundState.Translated,
          to: InboundState.Delivering,
          cause: 'delivery jobs queued',
        });
      }
      await numberAcks();
    });
    this.store.notify(transitions);
  }

  /**
   * Broken map overrides of this partner are our configuration, not the partner's data: the
   * message is not rejected (no negative ack, no rejection webhook) but waits in `received` with
   * the cause in its history and `last_error`. The job fails so pg-boss retries it; after its
   * retries the recovery sweep queues it again with backoff. A mended file is read again
   * (map-loader.ts keys its cache by the file's time).
   */
  private async waitForPartnerFile(message: StoredMessage, problems: readonly string[]): Promise<never> {
    const cause = `partner ${message.partner_id ?? ''} map overrides are broken; the message waits and its translation is tried again until they are mended: ${problems.join('; ')}`;
    const waiting = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE messages SET last_error = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND state = $4`,
        [message.tenant_id, message.id, cause, InboundState.Received],
      );
      return this.store.record(manager, {
        tenantId: message.tenant_id,
        messageId: message.id,
        from: InboundState.Received,
        to: InboundState.Received,
        cause,
      });
    });
    this.store.notify([waiting]);
    throw new Error(cause);
  }

  /** JSON from the REST API is one canonical document already validated at the edge. */
  private async acceptJson(message: StoredMessage, tenant: TenantDefinition | undefined): Promise<void> {
    let document: Json | undefined;
    try {
      document = JSON.parse(message.payload.toString('utf8')) as Json;
    } catch {
      document = undefined;
    }
    const transitions: Transition[] = [];
    await this.dataSource.transaction(async (manager) => {
      const record: RecordTransition = async (t) => {
        transitions.push(
          await this.store.record(manager, { tenantId: message.tenant_id, messageId: message.id, ...t }),
        );
      };
      const [locked] = (await manager.query(`SELECT state FROM messages WHERE id = $1 FOR UPDATE`, [
        message.id,
      ])) as {
        state: string;
      }[];
      if (locked?.state !== InboundState.Received) return;
      const validation = document ? validateCanonical(String(document['documentType']), document) : undefined;
      if (!document || !validation?.valid) {
        await manager.query(`UPDATE messages SET state = $2, diagnostics = $3 WHERE id = $1`, [
          message.id,
          InboundState.Rejected,
          storableJson(validation?.errors ?? [{ pointer: '', message: 'not JSON' }]),
        ]);
        await record({
          from: InboundState.Received,
          to: InboundState.Rejected,
          cause: 'not a valid canonical document',
        });
        return;
      }
      const states = await this.storeDocuments(manager, message, tenant, [document], record);
      await manager.query(`UPDATE messages SET state = $2, document_type = $3 WHERE id = $1`, [
        message.id,
        aggregateState(states),
        String(document['documentType']),
      ]);
      await record({
        from: InboundState.Received,
        to: InboundState.Translated,
        cause: 'canonical JSON accepted',
      });
      await record({
        from: InboundState.Translated,
        to: aggregateState(states),
        cause: 'delivery jobs queued',
      });
    });
    this.store.notify(transitions);
  }

  private async storeDocuments(
    manager: EntityManager,
    message: StoredMessage,
    tenant: TenantDefinition | undefined,
    documents: readonly Json[],
    record: RecordTransition,
    rejection: (document: Json) => string | undefined = () => undefined,
  ): Promise<DocumentState[]> {
    const [{ next } = { next: 1 }] = (await manager.query(
      `SELECT coalesce(max(sequence), 0) + 1 AS next FROM documents WHERE message_id = $1`,
      [message.id],
    )) as { next: number }[];
    const partner =
      message.partner_id && tenant ? tenant.partners.find((p) => p.id === message.partner_id) : undefined;
    const states: DocumentState[] = [];
    let sequence = next;
    for (const document of documents) {
      const id = randomUUID();
      const documentType = String(document['documentType']);
      const source = (document['source'] ?? {}) as Json;
      const environment: 'test' | 'production' =
        source['environment'] === 'test' || message.environment === 'test' || partner?.environment === 'test'
          ? 'test'
          : 'production';
      let state: DocumentState = InboundState.Translated;
      let target: 'production' | 'sandbox' | null = environment === 'test' ? 'sandbox' : 'production';
      let cause = `translated, for ${target === 'sandbox' ? 'the sandbox' : 'production'} Odoo`;
      const rejected = rejection(document);
      if (rejected) {
        state = InboundState.Rejected;
        target = null;
        cause = `${rejected}: not delivered, the partner must resend it`;
      } else if (documentType === 'Acknowledgement') {
        target = null;
        state = InboundState.Delivered;
        cause = await this.reconcileAck(manager, message, document, record);
      } else if (environment === 'test' && !tenant?.odoo.sandbox) {
        // Test documents never reach production; without a sandbox they wait, visible.
        state = InboundState.HeldTest;
        target = null;
        cause = 'test-environment document and the tenant has no sandbox Odoo';
      }
      await manager.query(
        `INSERT INTO documents (id, message_id, tenant_id, partner_id, document_type, sequence, state, environment, target,
           group_control_number, transaction_control_number, natural_key, canonical, delivered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          id,
          message.id,
          message.tenant_id,
          message.partner_id,
          documentType,
          sequence,
          state,
          environment,
          target,
          (source['groupControlNumber'] as string | undefined) ?? null,
          (source['transactionControlNumber'] as string | undefined) ?? null,
          String(document['id'] ?? id),
          JSON.stringify(document),
          state === InboundState.Delivered ? this.now() : null,
        ],
      );
      sequence += 1;
      await record({ documentId: id, from: null, to: state, cause, detail: { documentType, environment } });
      if (state === InboundState.Translated && tenant) {
        const flow = flowOf(documentType);
        const startAfter =
          tenant.syncModes[flow] === 'batch'
            ? nextBatchSlot(this.now(), tenant.pipeline.batchIntervalMinutes)
            : undefined;
        const policy = retrySettingsFor(tenant.pipeline, flow);
        const job: DeliverJob = {
          documentId: id,
          tenantId: message.tenant_id,
          maxAttempts: policy.maxAttempts,
        };
        await this.jobs.sendInTransaction(
          manager,
          QUEUES.deliver,
          job,
          deliveryJobOptions(message.tenant_id, policy, startAfter),
        );
        if (startAfter) {
          await record({
            documentId: id,
            from: InboundState.Translated,
            to: InboundState.Translated,
            cause: `${flow} are delivered in batch: queued for ${startAfter.toISOString()}`,
          });
        }
      } else if (state === InboundState.Translated) {
        state = InboundState.DeadLettered;
        await manager.query(`UPDATE documents SET state = $2, last_error = $3 WHERE id = $1`, [
          id,
          state,
          'unknown tenant',
        ]);
      }
      states.push(state);
    }
    return states;
  }

  /** An inbound 997/999/TA1/CONTRL settles the outbound messages it answers. */
  private async reconcileAck(
    manager: EntityManager,
    message: StoredMessage,
    ack: Json,
    record: RecordTransition,
  ): Promise<string> {
    const refersTo = (ack['refersTo'] ?? {}) as {
      interchangeControlNumber?: string;
      groupControlNumber?: string;
    };
    const status = String(ack['status'] ?? '');
    // A TA1 or CONTRL names our interchange; a 997/999 names our functional group.
    const interchange = refersTo.interchangeControlNumber;
    const group = refersTo.groupControlNumber;
    if (!interchange && !group) return 'acknowledgement without an interchange or group reference';
    const control = interchange ?? group!;
    const to = status === 'rejected' ? OutboundState.Rejected : OutboundState.Acknowledged;
    // The state each had before, for its history: queued, sent, or ack_overdue for a late ack.
    const rows = updatedRows<{ id: string; previous: OutboundState }>(
      await manager.query(
        `WITH answered AS (
           SELECT id, state FROM messages
            WHERE tenant_id = $1 AND partner_id = $2 AND direction = 'outbound' AND state IN ('queued', 'sent', 'ack_overdue')
              AND (($3::text IS NOT NULL AND ltrim(interchange_control_number, '0') = ltrim($3, '0'))
                OR ($3::text IS NULL AND ltrim(group_control_number, '0') = ltrim($4, '0')))
            FOR UPDATE)
         UPDATE messages m SET state = $5, updated_at = now() FROM answered a WHERE m.id = a.id
         RETURNING m.id, a.state AS previous`,
        [message.tenant_id, message.partner_id, interchange ?? null, group ?? null, to],
      ),
    );
    for (const row of rows) {
      await record({
        messageId: row.id,
        from: row.previous,
        to,
        cause: `${String(ack['ackType'] ?? 'acknowledgement')} ${status} in message ${message.id}`,
      });
    }
    return `acknowledgement ${status} for interchange ${control}: ${rows.length} outbound message(s) settled`;
  }

  private async findDuplicate(
    manager: EntityManager,
    message: StoredMessage,
    interchanges: readonly InterchangeInfo[],
    tenant: TenantDefinition | undefined,
  ): Promise<string | undefined> {
    const windowDays = tenant?.pipeline.duplicateWindowDays ?? 30;
    for (const interchange of interchanges) {
      const [found] = (await manager.query(
        `SELECT message_id FROM interchange_receipts
          WHERE tenant_id = $1 AND partner_id = $2 AND standard = $3 AND sender = $4 AND control_number = $5
            AND received_at > now() - make_interval(days => $6) AND message_id <> $7
          ORDER BY received_at DESC LIMIT 1`,
        [
          message.tenant_id,
          message.partner_id ?? '',
          interchange.standard,
          interchange.sender,
          interchange.controlNumber,
          windowDays,
          message.id,
        ],
      )) as { message_id: string }[];
      if (found) return found.message_id;
    }
    return undefined;
  }

  private async recordReceipts(
    manager: EntityManager,
    message: StoredMessage,
    interchanges: readonly InterchangeInfo[],
  ): Promise<void> {
    for (const interchange of interchanges) {
      if (!interchange.controlNumber) continue;
      await manager.query(
        `INSERT INTO interchange_receipts (tenant_id, partner_id, standard, sender, control_number, message_id)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [
          message.tenant_id,
          message.partner_id ?? '',
          interchange.standard,
          interchange.sender,
          interchange.controlNumber,
          message.id,
        ],
      );
    }
  }

  /**
   * Queues the acks in the partner's outbox as the engine wrote them, with provisional control
   * numbers. The function returned gives them the partner's own: called last in the transaction,
   * so the partner's counters stay locked only from there to the commit.
   */
  private async storeAcks(
    manager: EntityManager,
    message: StoredMessage,
    acks: readonly string[],
    ackBytes: readonly Buffer[],
    record: RecordTransition,
  ): Promise<() => Promise<void>> {
    if (acks.length === 0) return () => Promise.resolve();
    const text = acks.join('');
    const id = randomUUID();
    const kind = acknowledgementKind(text);
    // As translation wrote them: a CONTRL is in the character set its UNB declares, not UTF-8.
    const payload = Buffer.concat(ackBytes);
    await manager.query(
      `INSERT INTO messages (id, tenant_id, partner_id, direction, channel, format, document_type, state, environment,
         correlation_id, content_type, payload, payload_sha256, payload_size, related_message_id)
       VALUES ($1, $2, $3, 'outbound', $4, $5, $6, $7, $8, $9, $10, $11, encode(sha256($11), 'hex'), $12, $13)`,
      [
        id,
        message.tenant_id,
        message.partner_id,
        message.channel,
        kind === 'CONTRL' ? 'edifact' : 'x12',
        kind,
        OutboundState.Queued,
        message.environment,
        message.correlation_id,
        kind === 'CONTRL' ? 'application/edifact' : 'application/edi-x12',
        payload,
        payload.length,
        message.id,
      ],
    );
    await record({
      messageId: id,
      from: null,
      to: OutboundState.Queued,
      cause: `${kind} for message ${message.id}, waiting in the partner's outbox`,
    });
    await record({
      from: InboundState.Received,
      to: InboundState.Received,
      cause: `${kind} acknowledgement queued as ${id}`,
    });
    return async () => {
      const numbered = Buffer.concat(
        (await numberAcknowledgements(manager, message.tenant_id, message.partner_id ?? '_', acks)).map(
          (ack, i) => encodedLike(ack, acks[i]!, ackBytes[i]!),
        ),
      );
      await manager.query(
        `UPDATE messages SET payload = $2, payload_sha256 = encode(sha256($2), 'hex'), payload_size = $3 WHERE id = $1`,
        [id, numbered, numbered.length],
      );
    };
  }
}

/** The problems of a partner's map overrides file, worded as translation's PARTNER_INVALID diagnostics. */
function partnerFileProblems(partnerId: string | null): string[] {
  if (!partnerId) return [];
  // The same cached load translation makes next (same maps directory, same key): cheap.
  return loadMaps({ partnerId }).partnerErrors.map(
    (e) => `partner ${e.file}${e.path ? ` at ${e.path}` : ''}: ${e.message}`,
  );
}

/**
 * CONTRL, or what the X12 acks hold: the first set's ST01 (997 or 999), else TA1s alone. Read with the ack's own delimiters, which echo the inbound's (`.`, `…`, control
 * characters as terminators), not by a pattern that assumes `~`.
 */
function acknowledgementKind(text: string): 'CONTRL' | '999' | '997' | 'TA1' {
  if (!text.startsWith('ISA')) return 'CONTRL';
  const element = text[3]!;
  const terminator = isaTerminator(text);
  for (const segment of text.split(terminator)) {
    const [tag, setId] = segment.trimStart().split(element);
    if (tag === 'ST') return setId === '999' ? '999' : '997';
  }
  return 'TA1';
}

function summarize(errors: readonly Diagnostic[]): string {
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : '';
  return `${first.rule}: ${first.message}${more}`;
}

function parsedCause(interchanges: readonly InterchangeInfo[]): string {
  if (interchanges.length === 0) return 'parsed';
  return interchanges
    .map(
      (i) => `${i.standard.toUpperCase()} interchange ${i.controlNumber} from ${i.sender} (${i.environment})`,
    )
    .join('; ');
}

/**
 * The encodings an ack is written in: UTF-8, ISO 8859-1 (a CONTRL under UNOA..UNOC), Windows-1252
 * (an X12 ack answering a partner's input that was not UTF-8).
 */
const ACK_ENCODINGS: readonly ((text: string) => Buffer)[] = [
  (text) => Buffer.from(text, 'utf8'),
  (text) => Buffer.from(text, 'latin1'),
  encodeWindows1252,
];

/**
 * `text` (an ack with its final control numbers, which are ASCII digits) in the encoding its
 * provisional form `before` was written in: the one that gives `beforeBytes` back.
 */
function encodedLike(text: string, before: string, beforeBytes: Buffer): Buffer {
  const encode = ACK_ENCODINGS.find((e) => e(before).equals(beforeBytes)) ?? ACK_ENCODINGS[0]!;
  return encode(text);
}
