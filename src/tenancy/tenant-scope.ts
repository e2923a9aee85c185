/**
 * The tenant (and, for partner callers, the partner) a piece of work is confined to. Services take
 * it as their first argument instead of reading a global, so every query visibly filters by it.
 * Built from the verified access token only (see `@CurrentTenant()` in src/auth).
 */
export class TenantScope {
  constructor(
    readonly tenantId: string,
    /** Absent for tenant staff (auditors, operations): they see the whole tenant. */
    readonly partnerId?: string,
    /** For customer partners: the account whose orders and shipments they may read. */
    readonly customerAccount?: string,
  ) {}

  /** Tenant staff are not confined to one partner. */
  get isTenantWide(): boolean {
    return this.partnerId === undefined;
  }

  /** Whether data owned by `partnerId` (of this tenant) is visible in this scope. */
  canSeePartner(partnerId: string): boolean {
    return this.isTenantWide || this.partnerId === partnerId;
  }
}
