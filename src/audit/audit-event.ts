/** Where entries without a tenant go (an unknown client's 401, a 404 before any token). */
export const SYSTEM_TENANT = '_system';

/** What kind of thing happened; `action` says precisely what. */
export type AuditEventKind = 'http' | 'auth' | 'keys' | 'tenancy' | 'message';

/**
 * One thing to record. Never a secret, a token or a payload body: only who, what, where, when,
 * and how it ended.
 */
export interface AuditEvent {
  readonly occurredAt: Date;
  /** The tenant whose chain gets the entry; `SYSTEM_TENANT` when there is none. */
  readonly tenantId: string;
  readonly kind: AuditEventKind;
  /** e.g. `read`, `create`, `token.issue`, `key.rotate`, `partner.update`. */
  readonly action: string;
  readonly clientId?: string | null;
  readonly partnerId?: string | null;
  readonly sourceIp?: string | null;
  readonly userAgent?: string | null;
  readonly method?: string | null;
  /** Route template (`/v1/shipments/:id`), not the raw path. */
  readonly route?: string | null;
  /** The path without its query string (the only place a 404's target shows). */
  readonly path?: string | null;
  readonly resourceType?: string | null;
  readonly resourceId?: string | null;
  /** HTTP status, or the nearest equivalent for non-HTTP events (200 done, 4xx refused). */
  readonly status?: number | null;
  readonly scopes?: readonly string[] | null;
  readonly correlationId?: string | null;
  readonly latencyMs?: number | null;
  readonly bytesIn?: number | null;
  readonly bytesOut?: number | null;
  readonly reason?: string | null;
  /** Small structured facts (ids, counts, key ids); never secrets. */
  readonly details?: Readonly<Record<string, unknown>> | null;
}

/** An event as it sits in its tenant's chain. */
export interface AuditEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly seq: number;
  readonly occurredAt: Date;
  readonly kind: AuditEventKind;
  readonly action: string;
  readonly clientId: string | null;
  readonly partnerId: string | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly method: string | null;
  readonly route: string | null;
  readonly path: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly status: number | null;
  readonly scopes: readonly string[];
  readonly correlationId: string | null;
  readonly latencyMs: number | null;
  readonly bytesIn: number | null;
  readonly bytesOut: number | null;
  readonly reason: string | null;
  readonly details: Readonly<Record<string, unknown>> | null;
  readonly prevHash: string;
  readonly hash: string;
}
