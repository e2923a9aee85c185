import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuditEvent } from '../../audit/audit-event.js';
import type { MessageStore } from '../../messages/message-store.js';
import { OutboundState } from '../../messages/message-state.js';
import type { TenantDefinition } from '../../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { buildOutboundAs2 } from './as2-outbound-builder.js';
import {
  as2Partners,
  tenantIdentity,
  type As2PartnerSettings,
  type As2TenantIdentity,
} from './as2-partner-settings.js';
import { readMdn, type ReadMdn } from './mdn-reader.js';

interface OutboundRow {
  id: string;
  state: string;
  attempts: number;
  mic: string | null;
  /** Why the previous attempt failed, if it did. */
  detail: string | null;
}

/** While one node sends a message, its row is leased this long: no other node sends it meanwhile. */
const LEASE_SECONDS = 120;

/**
 * Sends the AS2 outbox: every queued outbound message of a partner with an as2 channel and a URL is
 * signed/encrypted, POSTed, and settled by the MDN (acknowledged when processed with our MIC,
 * rejected otherwise). No MDN in time (HTTP error, timeout, async MDN overdue) → sent again with the
 * same Message-ID, up to the partner's maxAttempts. Rows are claimed with a lease: any node may tick.
 */
export class As2OutboundSender {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: MessageStore,
    private readonly tenants: TenantRegistry,
    private readonly audit: (event: AuditEvent) => void,
    private readonly options: { readonly publicUrl?: string; readonly log?: (message: string) => void } = {},
  ) {}

  async tick(): Promise<number> {
    let sent = 0;
    for (const tenant of this.tenants.all()) {
      const ours = tenant.as2 ? tenantIdentity(tenant) : undefined;
      if (!ours || !tenant.active) continue;
      for (const partner of as2Partners(tenant)) {
        if (!partner.url) continue;
        const outbox = await this.store.outbox(tenant.id, partner.partner.id, {
          channel: 'as2',
          states: [OutboundState.Queued, OutboundState.Sent, OutboundState.AckOverdue],
          limit: 50,
        });
        for (const message of outbox) {
          // One message that fails unexpectedly (a database hiccup, a bug) must not hold back the
          // rest of the outbox, nor other partners': it is sent again at a later tick.
          try {
            if (await this.sendOne(tenant, ours, partner, message)) sent += 1;
          } catch (error) {
            this.options.log?.(`AS2 message ${message.id} to ${partner.as2Id}: ${(error as Error).message}`);
          }
        }
      }
    }
    return sent;
  }

  private async sendOne(
    tenant: TenantDefinition,
    ours: As2TenantIdentity,
    partner: As2PartnerSettings,
    message: {
      id: string;
      state: string;
      payload: Buffer;
      contentType: string | null;
      fileName: string | null;
      documentType: string | null;
    },
  ): Promise<boolean> {
    // One Message-ID per outbound message: a resend after a lost MDN reuses it (RFC 4130 §5.5).
    const as2MessageId = `<${message.id}@crossdock>`;
    const row = await this.claim(tenant.id, partner, ours, as2MessageId, message.id);
    if (!row) return false;
    if (row.attempts > partner.maxAttempts) {
      await this.settle(
        tenant.id,
        row.id,
        message.id,
        'rejected',
        `no MDN after ${partner.maxAttempts} attempts${row.detail ? ` (last: ${row.detail})` : ''}`,
      );
      return false;
    }
    const fileName = message.fileName ?? `${message.documentType ?? 'edi'}-${message.id}.edi`;
    let built: Awaited<ReturnType<typeof buildOutboundAs2>>;
    try {
      built = await buildOutboundAs2({
        payload: message.payload,
        contentType: message.contentType ?? 'application/edi-x12',
        fileName,
        messageId: as2MessageId,
        ours,
        partner,
        ...(partner.mdn === 'async' && this.options.publicUrl
          ? { receiptUrl: `${this.options.publicUrl}/as2` }
          : {}),
      });
    } catch (error) {
      // A partner certificate we cannot encrypt to (not RSA), a key that does not load: a
      // configuration to fix, said on the transfer, and retried like an unreachable partner.
      await this.retryLater(
        row.id,
        partner,
        `the AS2 message could not be built: ${(error as Error).message}`,
      );
      return false;
    }
    await this.dataSource.query(
      `UPDATE as2_transfers SET mic = $2, mic_algorithm = $3, request_headers = $4, body = $5, updated_at = now() WHERE id = $1`,
      [row.id, built.mic, built.micAlgorithm, JSON.stringify(built.headers), built.body],
    );
    let response: Response;
    let responseBody: Buffer;
    try {
      response = await fetch(partner.url!, {
        method: 'POST',
        headers: built.headers,
        body: new Uint8Array(built.body),
        signal: AbortSignal.timeout(Math.max(30, Math.min(partner.mdnTimeoutSeconds, 300)) * 1000),
      });
      responseBody = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      await this.retryLater(row.id, partner, `POST failed: ${(error as Error).message}`);
      return false;
    }
    if (!response.ok) {
      await this.retryLater(row.id, partner, `HTTP ${response.status}`);
      return false;
    }
    if (message.state === OutboundState.Queued) {
      await this.store.settleOutbound(
        tenant.id,
        message.id,
        OutboundState.Sent,
        `sent over AS2 as ${as2MessageId}`,
      );
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (partner.mdn === 'async' && !/multipart\/(signed|report)/i.test(contentType)) {
      // The MDN comes later to POST /as2; no MDN within the timeout → sent again.
      await this.dataSource.query(
        `UPDATE as2_transfers SET state = 'awaiting-mdn', next_attempt_at = now() + make_interval(secs => $2), updated_at = now() WHERE id = $1`,
        [row.id, partner.mdnTimeoutSeconds],
      );
      return true;
    }
    const mdn = await readMdn(contentType, responseBody, partner.certificates).catch(() => undefined);
    await this.dataSource.query(`UPDATE as2_transfers SET mdn_headers = $2, mdn_body = $3 WHERE id = $1`, [
      row.id,
      JSON.stringify(Object.fromEntries(response.headers.entries())),
      responseBody,
    ]);
    if (!mdn) {
      await this.retryLater(row.id, partner, 'the response is not an MDN');
      return false;
    }
    await this.applyMdn(tenant.id, partner, { id: row.id, mic: built.mic, messageId: message.id }, mdn);
    return true;
  }

  /**
   * An MDN for one of our messages (the sync response, or an async one posted to /as2): checks its
   * signature and MIC, then settles the message.
   */
  async applyMdn(
    tenantId: string,
    partner: As2PartnerSettings,
    transfer: { id: string; mic: string | null; messageId: string },
    mdn: ReadMdn,
  ): Promise<void> {
    if (partner.sign && (!mdn.signed || !mdn.signatureValid)) {
      // An MDN we cannot authenticate proves nothing: treat it as none and send again later.
      await this.retryLater(
        transfer.id,
        partner,
        mdn.signed ? 'MDN signature does not verify' : 'MDN not signed',
      );
      return;
    }
    if (!mdn.processed) {
      await this.settle(
        tenantId,
        transfer.id,
        transfer.messageId,
        'rejected',
        `partner refused: ${mdn.disposition ?? 'no disposition'}`,
      );
      return;
    }
    if (!mdn.mic || mdn.mic.value !== transfer.mic) {
      await this.settle(
        tenantId,
        transfer.id,
        transfer.messageId,
        'rejected',
        `MIC mismatch: the partner received other bytes (${mdn.mic?.value ?? 'no MIC'} ≠ ${transfer.mic ?? '?'})`,
      );
      return;
    }
    await this.settle(
      tenantId,
      transfer.id,
      transfer.messageId,
      'acknowledged',
      `MDN processed, MIC ${mdn.mic.value}`,
    );
  }

  /** The outbound transfer an async MDN answers, by its Original-Message-ID. */
  async findByMessageId(
    tenantId: string,
    as2MessageId: string,
  ): Promise<{ id: string; mic: string | null; messageId: string; partnerId: string } | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, mic, message_id, partner_id FROM as2_transfers
        WHERE direction = 'outbound' AND tenant_id = $1 AND as2_message_id = $2`,
      [tenantId, as2MessageId],
    )) as { id: string; mic: string | null; message_id: string; partner_id: string }[];
    return row
      ? { id: row.id, mic: row.mic, messageId: row.message_id, partnerId: row.partner_id }
      : undefined;
  }

  private async claim(
    tenantId: string,
    partner: As2PartnerSettings,
    ours: As2TenantIdentity,
    as2MessageId: string,
    messageId: string,
  ): Promise<OutboundRow | undefined> {
    const [inserted] = (await this.dataSource.query(
      `INSERT INTO as2_transfers (id, direction, tenant_id, partner_id, as2_from, as2_to, as2_message_id, state, message_id, next_attempt_at)
       VALUES ($1, 'outbound', $2, $3, $4, $5, $6, 'sending', $7, now() + make_interval(secs => ${LEASE_SECONDS}))
       ON CONFLICT DO NOTHING
       RETURNING id, state, attempts, mic, detail`,
      [randomUUID(), tenantId, partner.partner.id, ours.as2Id, partner.as2Id, as2MessageId, messageId],
    )) as OutboundRow[];
    if (inserted) return inserted;
    const [taken] = (await this.dataSource.query(
      `UPDATE as2_transfers SET state = 'sending', attempts = attempts + 1,
              next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS}), updated_at = now()
        WHERE direction = 'outbound' AND tenant_id = $1 AND as2_from = $2 AND as2_to = $3 AND as2_message_id = $4
          AND state NOT IN ('acknowledged', 'rejected') AND next_attempt_at <= now()
        RETURNING id, state, attempts, mic, detail`,
      [tenantId, ours.as2Id, partner.as2Id, as2MessageId],
    )) as [OutboundRow[], number];
    return taken[0];
  }

  private async retryLater(id: string, partner: As2PartnerSettings, reason: string): Promise<void> {
    this.options.log?.(`AS2 transfer ${id}: ${reason}; sending again later`);
    await this.dataSource.query(
      `UPDATE as2_transfers SET state = 'retry', detail = $2,
              next_attempt_at = now() + make_interval(secs => LEAST($3::int, 30 * power(2, LEAST(attempts - 1, 6))::int)),
              updated_at = now()
        WHERE id = $1`,
      [id, reason.slice(0, 500), partner.mdnTimeoutSeconds],
    );
  }

  private async settle(
    tenantId: string,
    id: string,
    messageId: string,
    outcome: 'acknowledged' | 'rejected',
    cause: string,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE as2_transfers SET state = $2, detail = $3, next_attempt_at = NULL, updated_at = now() WHERE id = $1`,
      [id, outcome, cause.slice(0, 500)],
    );
    await this.store.settleOutbound(
      tenantId,
      messageId,
      outcome === 'acknowledged' ? OutboundState.Acknowledged : OutboundState.Rejected,
      `AS2 MDN: ${cause}`,
    );
    this.audit({
      occurredAt: new Date(),
      tenantId,
      kind: 'message',
      action: `as2.${outcome}`,
      resourceType: 'message',
      resourceId: messageId,
      reason: cause,
    });
  }
}
