import type { FastifyRequest } from 'fastify';
import type { RateLimitPolicy } from '../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import {
  ANONYMOUS_RULE,
  TOKEN_PER_CLIENT_RULE,
  TOKEN_PER_IP_RULE,
  ruleFor,
  windowsOf,
  type LimitWindow,
} from './rate-limit-policy.js';
import { TOKEN_GROUP } from './rate-limit-route-groups.js';
import { rateLimitSource } from './source-address.js';

/** One counter key and the windows counted under it. */
export interface LimitSubject {
  readonly key: string;
  readonly windows: readonly LimitWindow[];
}

/**
 * The client id a token request claims, from HTTP Basic (RFC 6749 §2.3.1: form-encoded, then
 * base64) or the form body. Only the id: the secret is never read here.
 */
export function claimedClientId(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')).slice(0, 128);
      } catch {
        return decoded.slice(0, Math.min(colon, 128));
      }
    }
  }
  const body = request.body;
  if (body && typeof body === 'object' && 'client_id' in body) {
    const id = (body as { client_id: unknown }).client_id;
    if (typeof id === 'string' && id !== '') return id.slice(0, 128);
  }
  return undefined;
}

/** Who a request counts against, and under which windows. */
export function limitSubjects(
  request: FastifyRequest,
  group: string,
  tenants: TenantRegistry,
): LimitSubject[] {
  const principal = request.principal;
  if (principal) {
    const partner = principal.partnerId
      ? tenants.partner(principal.tenantId, principal.partnerId)
      : undefined;
    const { windows, ownCounter } = partnerWindows(partner?.rateLimit, group);
    const who = principal.partnerId ? `p:${principal.partnerId}` : `c:${principal.clientId}`;
    return [{ key: `t:${principal.tenantId}:${who}${ownCounter ? `:g:${group}` : ''}`, windows }];
  }
  const source = rateLimitSource(request.ip);
  if (group === TOKEN_GROUP) {
    const subjects: LimitSubject[] = [{ key: `token-ip:${source}`, windows: TOKEN_PER_IP_WINDOWS }];
    // Per claimed client id from this address, never per claimed id alone: anyone may claim any id,
    // so a counter of its own would let one address spend the client's quota and lock it out.
    const clientId = claimedClientId(request);
    if (clientId)
      subjects.push({ key: `token-client:${source}|${clientId}`, windows: TOKEN_PER_CLIENT_WINDOWS });
    return subjects;
  }
  return [{ key: `ip:${source}`, windows: ANONYMOUS_WINDOWS }];
}

const TOKEN_PER_IP_WINDOWS = windowsOf(TOKEN_PER_IP_RULE, 'ip-');
const TOKEN_PER_CLIENT_WINDOWS = windowsOf(TOKEN_PER_CLIENT_RULE, 'client-');
const ANONYMOUS_WINDOWS = windowsOf(ANONYMOUS_RULE, 'ip-');

interface PartnerWindows {
  readonly windows: readonly LimitWindow[];
  readonly ownCounter: boolean;
}

// Per policy object (the registry's, replaced when a tenant file changes) and route group: the
// windows are worked out once, not on every request.
const windowsByPolicy = new WeakMap<RateLimitPolicy, Map<string, PartnerWindows>>();
const DEFAULT_POLICY: RateLimitPolicy = {};

function partnerWindows(policy: RateLimitPolicy | undefined, group: string): PartnerWindows {
  const byGroup = windowsByPolicy.get(policy ?? DEFAULT_POLICY) ?? new Map<string, PartnerWindows>();
  let found = byGroup.get(group);
  if (!found) {
    const { rule, ownCounter } = ruleFor(policy, group);
    found = { windows: windowsOf(rule), ownCounter };
    byGroup.set(group, found);
    windowsByPolicy.set(policy ?? DEFAULT_POLICY, byGroup);
  }
  return found;
}
