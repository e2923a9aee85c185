import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SYSTEM_TENANT, type AuditEvent } from '../../audit/audit-event.js';
import type { MessageStore, ReceiveInput } from '../../messages/message-store.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import type { MicAlgorithm } from './as2-mic.js';
import type { SigningIdentity } from './cms-sign.js';
import { entityFromParts } from './as2-mime-parser.js';
import { as2Partners, tenantIdentity, type As2PartnerSettings } from './as2-partner-settings.js';
import { As2Rejection, unpackAs2, type As2Failure, type UnpackedMessage } from './as2-unpack.js';
import { parseDispositionOptions } from './disposition-options.js';
import type { As2OutboundSender } from './as2-outbound-sender.js';
import { buildMdn, unquoteAs2Id, type BuiltMdn } from './mdn-builder.js';
import { readMdn } from './mdn-reader.js';

export interface As2Request {
  /** HTTP headers, names lower-case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly sourceIp?: string;
}

export interface As2Response {
  readonly status: number;
  /** Set when the answer is an HTTP error (no MDN could be addressed). */
  readonly problem?: { readonly detail: string };
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

interface TransferRow {
  id: string;
  state: string;
  mdn_headers: Record<string, string> | null;
  mdn_body: Buffer | null;
  mdn_url: string | null;
  message_id: string | null;
  fresh: boolean;
}

/** What a message refused before authentication keeps of the body (the transfer keeps it all). */
const REFUSED_PREFIX_BYTES = 64 * 1024;

/** A first try still running is left alone this long by default; after that a retry takes over. */
const STALE_SECONDS = 120;

/**
 * Inbound AS2 (RFC 4130): route by AS2-To/AS2-From, unpack, commit the payload, answer the MDN.
 * Every request leaves a row in `as2_transfers` (raw bytes included) and an audit entry, accepted
 * or not; the MDN is built only after the payload is committed.
 */
export class As2Receiver {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: MessageStore,
    private readonly tenants: TenantRegistry,
    private readonly audit: (event: AuditEvent) => void,
    private readonly outbound?: As2OutboundSender,
    private readonly options: {
      readonly maxPayloadBytes?: number;
      /** Seconds before a retry takes over a first try still marked processing (default 120). */
      readonly staleSeconds?: number;
    } = {},
  ) {}

  async receive(request: As2Request): Promise<As2Response> {
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const as2From = unquoteAs2Id(header('as2-from'));
    const as2To = unquoteAs2Id(header('as2-to'));
    const messageId = header('message-id')?.trim();
    if (!as2From || !as2To || !messageId) {
      this.auditReject(SYSTEM_TENANT, undefined, request, 'missing AS2-From, AS2-To or Message-ID');
      return problem(400, 'An AS2 message needs the AS2-From, AS2-To and Message-ID headers.');
    }
    const tenant = this.tenants.all().find((t) => t.as2?.as2Id === as2To);
    const identity = tenant ? tenantIdentity(tenant) : undefined;
    if (!tenant || !identity) {
      await this.keepUnroutable(request, as2From, as2To, messageId);
      this.auditReject(SYSTEM_TENANT, undefined, request, `unknown AS2-To "${as2To}"`);
      return problem(404, `No trading partner here answers to AS2-To "${as2To}".`);
    }
    const partner = as2Partners(tenant).find((p) => p.as2Id === as2From);
    if (partner && this.outbound && looksLikeMdn(header('content-type'), request.body)) {
      return this.receiveMdn(tenant.id, partner, header('content-type') ?? '', request);
    }
    const options = parseDispositionOptions(header('disposition-notification-options'));
    const asyncUrl = header('receipt-delivery-option')?.trim();
    const storedHeaders = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );

    const claim = await this.claim(
      tenant.id,
      partner?.partner.id,
      as2From,
      as2To,
      messageId,
      storedHeaders,
      request.body,
    );
    if (claim.state === 'processing' && !claim.fresh) {
      return problem(409, `Message-ID ${messageId} is being processed; retry later.`);
    }
    const unpack = (policy: As2PartnerSettings): Promise<UnpackedMessage> =>
      unpackAs2(
        entityFromParts(
          topHeaders(header('content-type'), header('content-transfer-encoding')),
          request.body,
        ),
        {
          keys: identity.decryption,
          partnerCertificates: policy.certificates,
          requireSigned: policy.requireSigned,
          requireEncrypted: policy.requireEncrypted,
          ...(options.micAlgorithm ? { micAlgorithm: options.micAlgorithm } : {}),
          ...(this.options.maxPayloadBytes ? { maxPayloadBytes: this.options.maxPayloadBytes } : {}),
        },
      );

    const negative = async (
      failure: As2Failure,
      explanation: string,
      how: {
        readonly mic?: { value: string; algorithm: MicAlgorithm };
        readonly transferId?: string;
        /** The partner's signature verified: the refused bytes are that partner's, not a claim. */
        readonly authenticated?: boolean;
      } = {},
    ): Promise<As2Response> => {
      const { mic, transferId = claim.id, authenticated = false } = how;
      // A retry of a transfer whose payload is already stored (its first try died after the commit)
      // is answered with that message's receipt: refusing it would hide the stored message, and the
      // partner's next retry would store it a second time.
      const already = await this.storedAnswer(tenant.id, transferId, as2From, as2To, messageId, asyncUrl, {
        signed: options.signed,
        micAlgorithm: options.micAlgorithm,
        identity: identity.signing,
      });
      if (already) {
        this.audit({
          ...this.auditBase(tenant.id, partner, request),
          action: 'as2.duplicate',
          resourceId: transferId,
          reason:
            `Message-ID ${messageId} received again (${failure}: ${explanation}); it is stored already as ` +
            `${already.messageId}: its receipt is sent again`,
        });
        return already.answer;
      }
      // Kept where the tenant looks (GET /v1/messages), with the bytes as received, before the
      // partner is told: an operator sees the refused attempt and its reason, not only the audit log.
      // Listed under the partner only once its signature verified: AS2-From alone is anyone's claim.
      const refused = await this.store.refuse({
        tenantId: tenant.id,
        partnerId: authenticated ? (partner?.partner.id ?? null) : null,
        channel: 'as2',
        payload: request.body,
        // Bytes from anyone are not copied twice: the transfer holds them, the message their start.
        ...(authenticated ? {} : { keepPrefix: REFUSED_PREFIX_BYTES }),
        correlationId: transferId,
        environment: partner?.partner.environment ?? 'production',
        refusal: {
          code: failure,
          reason:
            `AS2 ${failure}: ${explanation}${authenticated ? '' : ` (claimed AS2-From "${as2From}")`}` +
            (!authenticated && request.body.length > REFUSED_PREFIX_BYTES
              ? `; the ${request.body.length} bytes are kept in AS2 transfer ${transferId}, the message holds the first ${REFUSED_PREFIX_BYTES}`
              : ''),
        },
        ...(header('content-type') ? { contentType: header('content-type') } : {}),
      });
      const mdn = await buildMdn({
        as2From,
        as2To,
        originalMessageId: messageId,
        failure,
        explanation,
        ...(mic ? { mic } : {}),
        ...(options.signed
          ? { signWith: { identity: identity.signing, digest: options.micAlgorithm ?? 'sha256' } }
          : {}),
      });
      await this.finish(transferId, 'rejected', mdn, asyncUrl, { failure, detail: explanation });
      this.auditReject(
        tenant.id,
        partner,
        request,
        `${failure}: ${explanation} (kept as rejected message ${refused.id})`,
        transferId,
      );
      return this.answer(transferId, mdn, asyncUrl);
    };

    if (claim.state === 'processed' && claim.mdn_body && claim.mdn_headers && !claim.fresh) {
      // A retry carries the same document (its bytes may differ: re-signed, re-encrypted). Another
      // document under a Message-ID already used must neither vanish behind the first one's MDN
      // nor be stored as if it were that one: it is kept as a rejected transfer of its own.
      let other;
      let keptId: string | undefined;
      try {
        other = partner ? await this.otherDocument(claim, request.body, () => unpack(partner)) : undefined;
        if (other)
          keptId = await this.keepReused(claim, tenant.id, partner!.partner.id, storedHeaders, request.body);
      } catch (error) {
        // The first try stays processed; this request is answered like any unexpected failure.
        this.auditReject(
          tenant.id,
          partner,
          request,
          `unexpected error on a repeated Message-ID: ${String(error)}`,
          claim.id,
        );
        return problem(500, 'The message could not be processed now; send it again later (same Message-ID).');
      }
      if (other && keptId) {
        return await negative(
          other.failure ?? 'unexpected-processing-error',
          `Message-ID ${messageId} was already received with another document (stored as ${claim.message_id}); ` +
            `this one was not processed${other.failure ? ` (${other.explanation})` : ''}. Send it with a new Message-ID.`,
          {
            ...(other.mic ? { mic: other.mic } : {}),
            transferId: keptId,
            authenticated: other.authenticated,
          },
        );
      }
      this.audit({
        ...this.auditBase(tenant.id, partner, request),
        action: 'as2.duplicate',
        resourceId: claim.id,
        reason: `Message-ID ${messageId} received again: the original MDN is sent again`,
      });
      return this.answer(claim.id, { headers: claim.mdn_headers, body: claim.mdn_body }, claim.mdn_url);
    }

    try {
      if (!partner) {
        // RFC 4130 has no "unknown partner" modifier: an unknown sender is one we cannot authenticate.
        return await negative('authentication-failed', `unknown AS2-From "${as2From}"`);
      }
      let unpacked;
      try {
        unpacked = await unpack(partner);
      } catch (error) {
        if (error instanceof As2Rejection)
          return await negative(error.failure, error.message, { authenticated: error.authenticated });
        throw error;
      }
      if (unpacked.payload.length === 0)
        return await negative('unexpected-processing-error', 'the message is empty', {
          authenticated: unpacked.signed,
        });
      await this.dataSource.query(`UPDATE as2_transfers SET mic = $2, mic_algorithm = $3 WHERE id = $1`, [
        claim.id,
        unpacked.mic,
        unpacked.micAlgorithm,
      ]);
      const stored = await this.storeOnce(tenant.id, claim.id, {
        tenantId: tenant.id,
        partnerId: partner.partner.id,
        channel: 'as2',
        payload: unpacked.payload,
        contentType: unpacked.contentType,
        correlationId: claim.id,
        environment: partner.partner.environment,
        ...(unpacked.fileName ? { fileName: unpacked.fileName } : {}),
      });
      const mdn = await buildMdn({
        as2From,
        as2To,
        originalMessageId: messageId,
        mic: { value: unpacked.mic, algorithm: unpacked.micAlgorithm },
        explanation: `The message was received and stored as ${stored.id}. It will be translated and delivered.`,
        ...(options.signed
          ? {
              signWith: { identity: identity.signing, digest: options.micAlgorithm ?? unpacked.micAlgorithm },
            }
          : {}),
      });
      await this.finish(claim.id, 'processed', mdn, asyncUrl, { messageId: stored.id });
      this.audit({
        ...this.auditBase(tenant.id, partner, request),
        action: 'as2.receive',
        resourceType: 'message',
        resourceId: stored.id,
        reason: `AS2 ${messageId}: ${[unpacked.encrypted && 'encrypted', unpacked.signed && 'signed', unpacked.compressed && 'compressed'].filter(Boolean).join(', ') || 'unprotected'}`,
      });
      return this.answer(claim.id, mdn, asyncUrl);
    } catch (error) {
      // Nothing answered yet: the row is marked failed so the partner's retry is processed afresh.
      await this.dataSource
        .query(`UPDATE as2_transfers SET state = 'failed', detail = $2, updated_at = now() WHERE id = $1`, [
          claim.id,
          String((error as Error).message ?? error).slice(0, 500),
        ])
        .catch(() => undefined);
      this.auditReject(tenant.id, partner, request, 'unexpected error while processing', claim.id);
      return problem(500, 'The message could not be processed now; send it again later (same Message-ID).');
    }
  }

  /**
   * Stores the payload of a transfer once, however many tries of its Message-ID run: the transfer
   * row is locked while the message is written and tied to it in the same transaction, so a retry
   * that took over a slow (or dead) first try finds the first one's message instead of storing a
   * second.
   */
  private async storeOnce(
    tenantId: string,
    transferId: string,
    input: ReceiveInput,
  ): Promise<{ id: string }> {
    const { stored, transitions } = await this.dataSource.transaction(async (manager) => {
      // `message_id` names only a stored payload (a refused try leaves it empty).
      const [transfer] = (await manager.query(
        `SELECT m.id AS existing FROM as2_transfers t
           LEFT JOIN messages m ON m.id = t.message_id AND m.tenant_id = $2
          WHERE t.id = $1 FOR UPDATE OF t`,
        [transferId, tenantId],
      )) as { existing: string | null }[];
      if (transfer?.existing) return { stored: { id: transfer.existing }, transitions: [] };
      const received = await this.store.receiveIn(manager, input);
      await manager.query(`UPDATE as2_transfers SET message_id = $2 WHERE id = $1`, [
        transferId,
        received.message.id,
      ]);
      return { stored: { id: received.message.id }, transitions: received.transitions };
    });
    this.store.notify(transitions);
    return stored;
  }

  /**
   * Whether a Message-ID received again (its first try processed) carries another document: the
   * same bytes, or the same payload once unpacked, are a retry. Undefined for a retry.
   */
  private async otherDocument(
    claim: TransferRow,
    body: Buffer,
    unpack: () => Promise<UnpackedMessage>,
  ): Promise<
    | {
        failure?: As2Failure;
        explanation?: string;
        mic?: { value: string; algorithm: MicAlgorithm };
        authenticated: boolean;
      }
    | undefined
  > {
    const [first] = (await this.dataSource.query(
      `SELECT encode(sha256(t.body), 'hex') AS body_sha256, m.payload_sha256
         FROM as2_transfers t LEFT JOIN messages m ON m.id = t.message_id WHERE t.id = $1`,
      [claim.id],
    )) as { body_sha256: string | null; payload_sha256: string | null }[];
    if (!first?.payload_sha256 || first.body_sha256 === sha256(body)) return undefined;
    let unpacked: UnpackedMessage;
    try {
      unpacked = await unpack();
    } catch (error) {
      if (error instanceof As2Rejection)
        return { failure: error.failure, explanation: error.message, authenticated: error.authenticated };
      throw error;
    }
    if (sha256(unpacked.payload) === first.payload_sha256) return undefined;
    return { mic: { value: unpacked.mic, algorithm: unpacked.micAlgorithm }, authenticated: unpacked.signed };
  }

  /** A new transfer row (the dedupe key made unique) holding a reused Message-ID's request. */
  private async keepReused(
    claim: TransferRow,
    tenantId: string,
    partnerId: string,
    headers: Record<string, string>,
    body: Buffer,
  ): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO as2_transfers (id, direction, tenant_id, partner_id, as2_from, as2_to, as2_message_id, state, request_headers, body)
       SELECT $1::uuid, 'inbound', tenant_id, $3, as2_from, as2_to, as2_message_id || ' (reused, ' || $1::text || ')', 'processing', $4, $5
         FROM as2_transfers WHERE id = $2 AND tenant_id = $6`,
      [id, claim.id, partnerId, JSON.stringify(headers), body, tenantId],
    );
    return id;
  }

  /** An asynchronous MDN answering one of our outbound messages. */
  private async receiveMdn(
    tenantId: string,
    partner: As2PartnerSettings,
    contentType: string,
    request: As2Request,
  ): Promise<As2Response> {
    const mdn = await readMdn(contentType, request.body, partner.certificates).catch(() => undefined);
    const transfer = mdn?.originalMessageId
      ? await this.outbound!.findByMessageId(tenantId, mdn.originalMessageId)
      : undefined;
    if (!mdn || !transfer || transfer.partnerId !== partner.partner.id) {
      this.auditReject(tenantId, partner, request, 'an MDN for no message of ours');
      return problem(400, 'This MDN answers no message Crossdock sent to you.');
    }
    await this.dataSource.query(`UPDATE as2_transfers SET mdn_headers = $2, mdn_body = $3 WHERE id = $1`, [
      transfer.id,
      JSON.stringify(request.headers),
      request.body,
    ]);
    await this.outbound!.applyMdn(tenantId, partner, transfer, mdn);
    this.audit({
      ...this.auditBase(tenantId, partner, request),
      action: 'as2.mdn',
      resourceType: 'message',
      resourceId: transfer.messageId,
      reason: `async MDN: ${mdn.disposition ?? 'no disposition'}`,
    });
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('MDN received\n') };
  }

  /** Inserts the transfer, or takes over a retry of a rejected, failed or stale one. */
  private async claim(
    tenantId: string,
    partnerId: string | undefined,
    as2From: string,
    as2To: string,
    messageId: string,
    headers: Record<string, string>,
    body: Buffer,
  ): Promise<TransferRow> {
    const id = randomUUID();
    const [inserted] = (await this.dataSource.query(
      `INSERT INTO as2_transfers (id, direction, tenant_id, partner_id, as2_from, as2_to, as2_message_id, state, request_headers, body)
       VALUES ($1, 'inbound', $2, $3, $4, $5, $6, 'processing', $7, $8)
       ON CONFLICT DO NOTHING
       RETURNING id, state, mdn_headers, mdn_body, mdn_url, message_id`,
      [id, tenantId, partnerId ?? null, as2From, as2To, messageId, JSON.stringify(headers), body],
    )) as Omit<TransferRow, 'fresh'>[];
    if (inserted) return { ...inserted, fresh: true };
    const [taken] = (await this.dataSource.query(
      `UPDATE as2_transfers SET state = 'processing', attempts = attempts + 1, request_headers = $5, body = $6,
              partner_id = $7, failure = NULL, detail = NULL, updated_at = now()
        WHERE direction = 'inbound' AND coalesce(tenant_id, '') = $1 AND as2_from = $2 AND as2_to = $3 AND as2_message_id = $4
          AND (state IN ('rejected', 'failed') OR (state = 'processing' AND updated_at < now() - make_interval(secs => $8)))
        RETURNING id, state, mdn_headers, mdn_body, mdn_url, message_id`,
      [
        tenantId,
        as2From,
        as2To,
        messageId,
        JSON.stringify(headers),
        body,
        partnerId ?? null,
        this.options.staleSeconds ?? STALE_SECONDS,
      ],
    )) as [Omit<TransferRow, 'fresh'>[], number];
    const retaken = taken[0];
    if (retaken) return { ...retaken, fresh: true };
    const [current] = (await this.dataSource.query(
      `SELECT id, state, mdn_headers, mdn_body, mdn_url, message_id FROM as2_transfers
        WHERE direction = 'inbound' AND coalesce(tenant_id, '') = $1 AND as2_from = $2 AND as2_to = $3 AND as2_message_id = $4`,
      [tenantId, as2From, as2To, messageId],
    )) as Omit<TransferRow, 'fresh'>[];
    return { ...current!, fresh: false };
  }

  /**
   * The receipt of a transfer whose payload is stored already (a positive MDN naming that message,
   * with the MIC its try computed), the transfer marked processed again; undefined when none is.
   */
  private async storedAnswer(
    tenantId: string,
    transferId: string,
    as2From: string,
    as2To: string,
    messageId: string,
    asyncUrl: string | undefined,
    sign: { signed: boolean; micAlgorithm?: MicAlgorithm; identity: SigningIdentity },
  ): Promise<{ messageId: string; answer: As2Response } | undefined> {
    const [stored] = (await this.dataSource.query(
      `SELECT m.id::text AS id, t.mic, t.mic_algorithm FROM as2_transfers t
         JOIN messages m ON m.id = t.message_id AND m.tenant_id = $2
        WHERE t.id = $1 AND m.state <> 'rejected'`,
      [transferId, tenantId],
    )) as { id: string; mic: string | null; mic_algorithm: MicAlgorithm | null }[];
    if (!stored) return undefined;
    const mdn = await buildMdn({
      as2From,
      as2To,
      originalMessageId: messageId,
      ...(stored.mic && stored.mic_algorithm
        ? { mic: { value: stored.mic, algorithm: stored.mic_algorithm } }
        : {}),
      explanation: `The message was received and stored as ${stored.id}. It will be translated and delivered.`,
      ...(sign.signed
        ? {
            signWith: {
              identity: sign.identity,
              digest: sign.micAlgorithm ?? stored.mic_algorithm ?? 'sha256',
            },
          }
        : {}),
    });
    await this.finish(transferId, 'processed', mdn, asyncUrl, { messageId: stored.id });
    return { messageId: stored.id, answer: await this.answer(transferId, mdn, asyncUrl) };
  }

  private async finish(
    id: string,
    state: 'processed' | 'rejected',
    mdn: BuiltMdn,
    asyncUrl: string | undefined,
    outcome: { messageId?: string; failure?: string; detail?: string },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE as2_transfers SET state = $2, mdn_headers = $3, mdn_body = $4, mdn_url = $5, message_id = coalesce($6, message_id),
              failure = $7, detail = $8, next_attempt_at = CASE WHEN $5::text IS NULL THEN NULL ELSE now() END,
              updated_at = now()
        WHERE id = $1`,
      [
        id,
        state,
        JSON.stringify(mdn.headers),
        mdn.body,
        asyncUrl ?? null,
        outcome.messageId ?? null,
        outcome.failure ?? null,
        outcome.detail ?? null,
      ],
    );
  }

  /** Sync: the MDN is the response. Async: 200 now, the MDN dispatcher POSTs it (with retries). */
  private async answer(
    id: string,
    mdn: Pick<BuiltMdn, 'headers' | 'body'>,
    asyncUrl: string | null | undefined,
  ): Promise<As2Response> {
    if (asyncUrl) {
      await this.dataSource.query(
        `UPDATE as2_transfers SET next_attempt_at = now(), mdn_url = $2 WHERE id = $1`,
        [id, asyncUrl],
      );
      return {
        status: 200,
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from('MDN will be sent to the Receipt-Delivery-Option URL\n'),
      };
    }
    return { status: 200, headers: mdn.headers, body: mdn.body };
  }

  private async keepUnroutable(
    request: As2Request,
    as2From: string,
    as2To: string,
    messageId: string,
  ): Promise<void> {
    await this.dataSource
      .query(
        `INSERT INTO as2_transfers (id, direction, as2_from, as2_to, as2_message_id, state, failure, request_headers, body)
         VALUES ($1, 'inbound', $2, $3, $4, 'rejected', 'unknown-recipient', $5, $6)
         ON CONFLICT DO NOTHING`,
        [randomUUID(), as2From, as2To, messageId, JSON.stringify(request.headers), request.body],
      )
      .catch(() => undefined);
  }

  private auditBase(
    tenantId: string,
    partner: As2PartnerSettings | undefined,
    request: As2Request,
  ): AuditEvent {
    return {
      occurredAt: new Date(),
      tenantId,
      kind: 'message',
      action: 'as2',
      partnerId: partner?.partner.id ?? null,
      sourceIp: request.sourceIp ?? null,
      method: 'POST',
      route: '/as2',
      resourceType: 'as2-transfer',
    };
  }

  private auditReject(
    tenantId: string,
    partner: As2PartnerSettings | undefined,
    request: As2Request,
    reason: string,
    transferId?: string,
  ): void {
    this.audit({
      ...this.auditBase(tenantId, partner, request),
      action: 'as2.reject',
      ...(transferId ? { resourceId: transferId } : {}),
      reason,
    });
  }
}

/**
 * The HTTP headers that describe the body as a MIME entity. Some senders base64-encode the whole
 * body and say so in an HTTP Content-Transfer-Encoding header: it is decoded like a MIME part's.
 */
function topHeaders(
  contentType: string | undefined,
  transferEncoding: string | undefined,
): Map<string, string> {
  const headers = new Map([['content-type', contentType ?? '']]);
  if (transferEncoding) headers.set('content-transfer-encoding', transferEncoding);
  return headers;
}

/** An MDN is a multipart/report, bare or as the first part of a multipart/signed. */
function looksLikeMdn(contentType: string | undefined, body: Buffer): boolean {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/report')) return true;
  if (!type.startsWith('multipart/signed')) return false;
  return /^content-type:\s*multipart\/report/im.test(body.subarray(0, 2048).toString('latin1'));
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** An HTTP error instead of an MDN; the controller hands it to the problem+json filter. */
function problem(status: number, detail: string): As2Response {
  return { status, headers: {}, body: Buffer.alloc(0), problem: { detail } };
}
