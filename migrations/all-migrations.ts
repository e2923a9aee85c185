import { TenantRegistry1764230400000 } from './1764230400000-tenant-registry.js';

/** Every migration in order. Listed by hand: reviewed like code, never discovered by a glob. */
export const ALL_MIGRATIONS = [TenantRegistry1764230400000];
