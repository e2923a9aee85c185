import type { RateLimitPolicy, RateLimitRule } from '../tenancy/tenant-definition.js';

/** One fixed window of a policy: at most `points` requests per `seconds`. */
export interface LimitWindow {
  /** The policy name shown in `RateLimit-Policy` (`burst`, `daily`, `ip-burst`, …). */
  readonly name: string;
  readonly points: number;
  readonly seconds: number;
}

/** For partners (and staff clients) whose tenant file sets no `rateLimit`. */
export const DEFAULT_CLIENT_RULE: RateLimitRule = { perSecond: 10, burst: 20, perDay: 100_000 };
/** Public routes other than the token endpoint (JWKS, docs), per source (`rateLimitSource`). */
export const ANONYMOUS_RULE: RateLimitRule = { perSecond: 20, burst: 50 };
/**
 * The token endpoint, per source (an IPv4 address, an IPv6 /64) and per claimed client id from that
 * source (never per claimed id alone, which anyone could exhaust): enough for any honest client.
 */
export const TOKEN_PER_IP_RULE: RateLimitRule = { burst: 20, perMinute: 300 };
export const TOKEN_PER_CLIENT_RULE: RateLimitRule = { burst: 10, perMinute: 120 };

const SUSTAINED_WINDOW_SECONDS = 10;

/**
 * The windows a rule stands for:
 * - `burst`: at most `burst` (else `perSecond`) requests in any one-second window;
 * - `sustained`: when `burst` exceeds `perSecond`, at most `perSecond` per second on average over
 *   ten seconds, so a burst is allowed but not kept up;
 * - `minute`, `daily`: `perMinute`, `perDay`.
 */
export function windowsOf(rule: RateLimitRule, namePrefix = ''): LimitWindow[] {
  const windows: LimitWindow[] = [];
  const burst = rule.burst ?? rule.perSecond;
  if (burst !== undefined) windows.push({ name: `${namePrefix}burst`, points: burst, seconds: 1 });
  if (rule.perSecond !== undefined && rule.burst !== undefined && rule.burst > rule.perSecond) {
    windows.push({
      name: `${namePrefix}sustained`,
      points: rule.perSecond * SUSTAINED_WINDOW_SECONDS,
      seconds: SUSTAINED_WINDOW_SECONDS,
    });
  }
  if (rule.perMinute !== undefined)
    windows.push({ name: `${namePrefix}minute`, points: rule.perMinute, seconds: 60 });
  if (rule.perDay !== undefined)
    windows.push({ name: `${namePrefix}daily`, points: rule.perDay, seconds: 86_400 });
  return windows;
}

/**
 * A route group's rule: the partner's `routes[group]` fields over its own top-level ones, with a
 * counter of its own; without a group rule the partner-wide counter applies. No policy (or one
 * with only route groups): the default.
 */
export function ruleFor(
  policy: RateLimitPolicy | undefined,
  group: string,
): { readonly rule: RateLimitRule; readonly ownCounter: boolean } {
  if (!policy) return { rule: DEFAULT_CLIENT_RULE, ownCounter: false };
  const { routes, ...own } = policy;
  // A policy that only sets route groups still leaves the partner limited elsewhere.
  const base = windowsOf(own).length > 0 ? own : DEFAULT_CLIENT_RULE;
  const groupRule = routes?.[group];
  if (!groupRule) return { rule: base, ownCounter: false };
  return { rule: { ...base, ...groupRule }, ownCounter: true };
}
