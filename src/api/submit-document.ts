import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { validateCanonical, type CanonicalDocumentType } from '../canonical/canonical-validator.js';
import { unstorableTextViolations } from '../common/storable-text.js';
import { ProblemCode, ProblemException, ValidationProblem } from '../common/problem/problem-details.js';
import { Pipeline } from '../messages/pipeline.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import { envelopeViolations, normalizeRequestBody, withEnvelope } from './canonical-envelope.js';

/** What a REST write answers: the document's id, and the message to follow for its fate. */
export interface AcceptedDocument {
  readonly id: string;
  readonly documentType: CanonicalDocumentType;
  readonly messageId: string;
  readonly state: string;
  readonly correlationId: string;
  /** `/v1/messages/{messageId}`: translation and delivery to Odoo, step by step. */
  readonly location: string;
}

export interface Violation {
  readonly pointer: string;
  readonly message: string;
}

export type CheckedDocument =
  | {
      readonly ok: true;
      readonly document: Record<string, unknown>;
      readonly id: string;
      readonly messageId: string;
    }
  | { readonly ok: false; readonly errors: readonly Violation[] };

/**
 * A REST write of one canonical document: wrap the partner's body in the server's envelope,
 * validate it against the canonical schema (every bad field by pointer), then store and enqueue
 * it exactly as any other channel does; translation and delivery to Odoo follow asynchronously.
 */
@Injectable()
export class SubmitDocument {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly tenants: TenantRegistry,
  ) {}

  /** Validates without storing; pointers are prefixed by `prefix` (a batch item's position). */
  check(
    scope: TenantScope,
    documentType: CanonicalDocumentType,
    body: unknown,
    correlationId: string,
    prefix = '',
  ): CheckedDocument {
    const partnerId = this.partnerOf(scope);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { ok: false, errors: [{ pointer: prefix, message: 'must be a JSON object' }] };
    }
    const record = body as Record<string, unknown>;
    const id = randomUUID();
    const messageId = randomUUID();
    const document = withEnvelope(documentType, normalizeRequestBody(documentType, record), {
      id,
      messageId,
      tenantId: scope.tenantId,
      partnerId,
      correlationId,
      environment: this.tenants.partner(scope.tenantId, partnerId)?.environment ?? 'production',
      now: new Date(),
    });
    const errors = [
      ...envelopeViolations(record, prefix),
      ...validateCanonical(documentType, document).errors.map((e) => ({
        pointer: `${prefix}${e.pointer}`,
        message: e.message,
      })),
      ...unstorableTextViolations(record, prefix),
    ];
    return errors.length > 0 ? { ok: false, errors } : { ok: true, document, id, messageId };
  }

  /** Stores a checked document as an inbound REST message. */
  async store(
    scope: TenantScope,
    documentType: CanonicalDocumentType,
    checked: { readonly document: Record<string, unknown>; readonly id: string; readonly messageId: string },
  ): Promise<AcceptedDocument> {
    const partnerId = this.partnerOf(scope);
    const message = await this.pipeline.store.receive({
      id: checked.messageId,
      tenantId: scope.tenantId,
      partnerId,
      channel: 'rest',
      payload: Buffer.from(JSON.stringify(checked.document)),
      contentType: 'application/json',
      correlationId: String(checked.document['correlationId']),
      environment: this.tenants.partner(scope.tenantId, partnerId)?.environment ?? 'production',
    });
    return {
      id: checked.id,
      documentType,
      messageId: message.id,
      state: message.state,
      correlationId: message.correlationId,
      location: `/v1/messages/${message.id}`,
    };
  }

  /** check + store, a bad body refused as one 422 problem. */
  async run(
    scope: TenantScope,
    documentType: CanonicalDocumentType,
    body: unknown,
    correlationId: string,
  ): Promise<AcceptedDocument> {
    const checked = this.check(scope, documentType, body, correlationId);
    if (!checked.ok) throw new ValidationProblem(checked.errors);
    return this.store(scope, documentType, checked);
  }

  private partnerOf(scope: TenantScope): string {
    if (!scope.partnerId) {
      throw new ProblemException(
        403,
        ProblemCode.Forbidden,
        'Only a partner client can submit documents: each document is attributed to its partner.',
      );
    }
    return scope.partnerId;
  }
}
