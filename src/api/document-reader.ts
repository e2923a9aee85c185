import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CanonicalDocumentType } from '../canonical/canonical-validator.js';
import type { PagePosition } from '../common/page-cursor.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import { withTenant } from '../tenancy/with-tenant.js';
import type { DocumentResource } from './document-resource.js';

export interface DocumentListFilter {
  readonly state?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly after?: PagePosition;
  readonly limit: number;
}

interface DocumentRow {
  natural_key: string;
  document_type: CanonicalDocumentType;
  message_id: string;
  state: string;
  environment: 'test' | 'production';
  created_at: Date;
  created_us: string;
  updated_at: Date;
  delivered_at: Date | null;
  odoo_model: string | null;
  odoo_id: number | null;
  odoo_external_id: string | null;
  flags: string[] | null;
  last_error: string | null;
  canonical: Record<string, unknown>;
}

// The connector's flags are kept in the delivery event's detail, not on the document row.
const SELECT = `SELECT d.natural_key, d.document_type, d.message_id, d.state, d.environment, d.created_at,
    (extract(epoch FROM d.created_at) * 1000000)::bigint::text AS created_us, d.updated_at, d.delivered_at,
    d.odoo_model, d.odoo_id, d.odoo_external_id, d.last_error, d.canonical,
    (SELECT array(SELECT jsonb_array_elements_text(e.detail->'odoo'->'flags'))
       FROM message_events e
      WHERE e.document_id = d.id AND e.to_state = 'delivered' AND jsonb_typeof(e.detail->'odoo'->'flags') = 'array'
      ORDER BY e.id DESC LIMIT 1) AS flags
  FROM documents d`;

function toResource(row: DocumentRow): DocumentResource {
  return {
    id: row.natural_key,
    documentType: row.document_type,
    messageId: row.message_id,
    state: row.state,
    environment: row.environment,
    receivedAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    odoo:
      row.odoo_model && row.odoo_id !== null
        ? {
            model: row.odoo_model,
            id: row.odoo_id,
            externalId: row.odoo_external_id ?? '',
            flags: row.flags ?? [],
          }
        : null,
    lastError: row.last_error,
    document: row.canonical,
  };
}

/**
 * Reads the canonical documents partners posted, from Crossdock's own `documents` table (never
 * from Odoo). A partner sees the documents it sent; tenant staff see the tenant's.
 */
@Injectable()
export class DocumentReader {
  constructor(private readonly dataSource: DataSource) {}

  async get(
    scope: TenantScope,
    documentType: CanonicalDocumentType,
    id: string,
  ): Promise<DocumentResource | undefined> {
    const rows = await withTenant(
      this.dataSource,
      scope.tenantId,
      (manager) =>
        manager.query(
          `${SELECT} WHERE d.tenant_id = $1 AND d.document_type = $2 AND d.natural_key = $3
             AND ($4::text IS NULL OR d.partner_id = $4)
           ORDER BY d.created_at DESC LIMIT 1`,
          [scope.tenantId, documentType, id, scope.partnerId ?? null],
        ) as Promise<DocumentRow[]>,
    );
    return rows[0] ? toResource(rows[0]) : undefined;
  }

  /** Newest first; `next` is the keyset of the last row when another page may follow. */
  async list(
    scope: TenantScope,
    documentType: CanonicalDocumentType,
    filter: DocumentListFilter,
  ): Promise<{ items: DocumentResource[]; next: PagePosition | null }> {
    const rows = await withTenant(
      this.dataSource,
      scope.tenantId,
      (manager) =>
        manager.query(
          `${SELECT} WHERE d.tenant_id = $1 AND d.document_type = $2
             AND ($3::text IS NULL OR d.partner_id = $3)
             AND ($4::text IS NULL OR d.state = $4)
             AND ($5::timestamptz IS NULL OR d.created_at >= $5)
             AND ($6::timestamptz IS NULL OR d.created_at < $6)
             AND ($7::bigint IS NULL OR ((extract(epoch FROM d.created_at) * 1000000)::bigint, d.natural_key) < ($7::bigint, $8::text))
           ORDER BY (extract(epoch FROM d.created_at) * 1000000)::bigint DESC, d.natural_key DESC
           LIMIT $9`,
          [
            scope.tenantId,
            documentType,
            scope.partnerId ?? null,
            filter.state ?? null,
            filter.from ?? null,
            filter.to ?? null,
            filter.after?.at ?? null,
            filter.after?.id ?? null,
            filter.limit + 1,
          ],
        ) as Promise<DocumentRow[]>,
    );
    const items = rows.slice(0, filter.limit).map(toResource);
    const last = rows.length > filter.limit ? rows[filter.limit - 1] : undefined;
    return { items, next: last ? { at: last.created_us, id: last.natural_key } : null };
  }
}
