import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { withTenant } from '../tenancy/with-tenant.js';
import { encodeCursor } from './audit-cursor.js';
import type { AuditEntry } from './audit-event.js';
import { auditWhere, type AuditPage, type AuditQuery } from './audit-query.js';
import { AUDIT_COLUMNS, entryFromRow, type AuditRow } from './audit-row.js';

const EXPORT_CHUNK = 1000;

/**
 * The audit log's read side, for one tenant at a time: every query filters by the caller's tenant
 * and runs under `withTenant`, so row-level security would hide other tenants' rows even if a
 * filter were forgotten.
 */
@Injectable()
export class AuditReader {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first; `before` is a decoded cursor. */
  async page(tenantId: string, query: AuditQuery, limit: number, before?: number): Promise<AuditPage> {
    const where = auditWhere(tenantId, query);
    const params = [...where.params];
    let sql = where.sql;
    if (before !== undefined) {
      params.push(before);
      sql += ` AND seq < $${params.length}`;
    }
    params.push(limit + 1);
    const rows = await withTenant(
      this.dataSource,
      tenantId,
      (manager) =>
        manager.query(
          `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${sql} ORDER BY seq DESC LIMIT $${params.length}`,
          params,
        ) as Promise<AuditRow[]>,
    );
    const items = rows.slice(0, limit).map(entryFromRow);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeCursor(last.seq) } : { items };
  }

  /**
   * Oldest first, a chunk at a time by keyset (no pg cursor library is installed, and a held-open
   * cursor would pin a connection for as long as the slowest client reads): memory stays at one
   * chunk whatever the range.
   */
  async *export(tenantId: string, query: AuditQuery): AsyncGenerator<AuditEntry> {
    const where = auditWhere(tenantId, query);
    let after = 0;
    for (;;) {
      const params = [...where.params, after, EXPORT_CHUNK];
      const rows = await withTenant(
        this.dataSource,
        tenantId,
        (manager) =>
          manager.query(
            `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${where.sql} AND seq > $${params.length - 1}
              ORDER BY seq LIMIT $${params.length}`,
            params,
          ) as Promise<AuditRow[]>,
      );
      for (const row of rows) yield entryFromRow(row);
      if (rows.length < EXPORT_CHUNK) return;
      after = Number(rows.at(-1)!.seq);
    }
  }
}
