import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT_GROUP = 'crossdock:rate-limit-group';

/**
 * Names the route group whose policy applies (`rateLimit.routes.<group>` in the tenant file).
 * `null` exempts the route (health probes). Without it, the group comes from the route template.
 */
export const RateLimitGroup = (group: string | null) => SetMetadata(RATE_LIMIT_GROUP, group);

export const SkipRateLimit = () => RateLimitGroup(null);
