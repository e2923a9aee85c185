import type { Scope } from '../tenancy/tenant-file-schema.js';
import type { PartnerKind } from '../tenancy/tenant-definition.js';

/**
 * Who is calling, as proven by the access token: the only source of tenant and partner identity
 * (never the path, query or body).
 */
export interface Principal {
  readonly tenantId: string;
  /** Absent for tenant staff clients (auditors, operations). */
  readonly partnerId?: string;
  readonly partnerKind?: PartnerKind;
  /** For customer partners: the account whose orders and shipments they may read. */
  readonly customerAccount?: string;
  readonly clientId: string;
  readonly scopes: readonly Scope[];
  /** `jti` of the token. */
  readonly tokenId: string;
  /** `iss` of the token: Crossdock itself, or a tenant's own identity provider. */
  readonly issuer: string;
}

/** What the audit log should say about a request beyond what the HTTP layer knows. */
export interface AuditAnnotations {
  /** The client id a refused token request claimed to be (there is no principal then). */
  attemptedClientId?: string;
  tenantId?: string;
  resourceType?: string;
  resourceId?: string;
  action?: string;
  reason?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    audit?: AuditAnnotations;
  }
}
